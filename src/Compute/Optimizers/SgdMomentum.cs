namespace Veil.Compute.Optimizers;

/// <summary>
/// SGD with heavy-ball momentum on the flat parameter vector, PyTorch's convention (no dampening):
/// v ← μ·v + g, θ ← θ − η·v. Momentum only post-processes released (noisy) gradients, so it costs no privacy.
/// Arithmetic in double, stored in float. Velocity is exportable for checkpoints.
/// </summary>
public sealed class SgdMomentum
{
    readonly float[] _velocity;

    public SgdMomentum(int parameterCount, double momentum) : this(new float[parameterCount], momentum) { }

    /// <summary>Resume from a checkpointed velocity (copied).</summary>
    public SgdMomentum(float[] velocity, double momentum)
    {
        ArgumentNullException.ThrowIfNull(velocity);
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        _velocity = (float[])velocity.Clone();
        Momentum = momentum;
    }

    public double Momentum { get; }

    public int Count => _velocity.Length;

    public float[] ExportVelocity() => (float[])_velocity.Clone();

    /// <summary>The DP update: g = noisySum / L with L the EXPECTED batch size; then the momentum step.</summary>
    public void ApplyNoisySum(float[] parameters, float[] noisySum, ExpectedBatchSize expectedBatchSize, double learningRate)
        => Apply(parameters, noisySum, 1.0 / expectedBatchSize.Value, learningRate);

    /// <summary>For non-private baselines only: <paramref name="meanGradient"/> is already an average.</summary>
    public void ApplyNonPrivate(float[] parameters, float[] meanGradient, double learningRate)
        => Apply(parameters, meanGradient, 1.0, learningRate);

    void Apply(float[] parameters, float[] gradient, double scale, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradient);
        if (parameters.Length != _velocity.Length || gradient.Length != _velocity.Length)
            throw new ArgumentException(
                $"Optimizer holds {_velocity.Length} parameters; got {parameters.Length} parameters and {gradient.Length} gradient values.");
        if (!(learningRate >= 0) || double.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be finite and non-negative.");
        for (int i = 0; i < parameters.Length; i++)
        {
            double v = Momentum * _velocity[i] + scale * gradient[i];
            _velocity[i] = (float)v;
            parameters[i] = (float)(parameters[i] - learningRate * v);
        }
    }
}
