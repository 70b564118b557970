namespace Veil.Compute.Optimizers;

/// <summary>
/// θ̄ ← β·θ̄ + (1 − β)·θ after every update, starting at the initial parameters θ̄₀ = θ₀ (Polyak averaging's exponential form).
/// Starting at θ₀ rather than at zero needs no 1 − βᵗ bias correction: the average is a convex combination of iterates
/// from the first step on. It reads only released parameters, so it is post-processing and costs no privacy.
/// Arithmetic in double, stored in float: a resumed run that reloads the stored floats continues bit for bit.
/// </summary>
public sealed class ExponentialMovingAverage
{
    readonly float[] _average;

    /// <param name="start">θ₀ at the start of a run, or the checkpointed average on resume (copied).</param>
    /// <param name="decay">β in (0, 1).</param>
    public ExponentialMovingAverage(float[] start, double decay)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (!(decay > 0 && decay < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "The average's decay β must be in (0, 1).");
        _average = (float[])start.Clone();
        Decay = decay;
    }

    public double Decay { get; }

    public int Count => _average.Length;

    public float[] Export() => (float[])_average.Clone();

    public void Update(float[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Length != _average.Length)
            throw new ArgumentException($"The average holds {_average.Length} parameters; got {parameters.Length}.", nameof(parameters));
        double keep = Decay, take = 1 - Decay;
        for (int i = 0; i < _average.Length; i++) _average[i] = (float)(keep * _average[i] + take * parameters[i]);
    }
}
