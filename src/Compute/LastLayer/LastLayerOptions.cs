namespace Veil.Compute.LastLayer;

/// <summary>
/// Everything a last-layer mechanism needs besides the data, the noise multipliers and the gate: the feature
/// map, λ, Newton's steps and step size, SGD's epochs, batch, learning rate and gradient clip.
/// </summary>
public sealed record LastLayerOptions
{
    public LastLayerOptions(LastLayerMethod method, FeatureMap featureMap, double regularisation,
        int newtonSteps = 3, double newtonStepSize = 1.0,
        double epochs = 10, int expectedBatchSize = 0, double learningRate = 1.0, double gradientClip = 0, double momentum = 0, double averaging = 0,
        bool averageViews = false)
    {
        ArgumentNullException.ThrowIfNull(featureMap);
        if (!(regularisation > 0) || !double.IsFinite(regularisation))
            throw new ArgumentOutOfRangeException(nameof(regularisation), regularisation, "regularisation λ must be finite and > 0");
        if (newtonSteps < 1) throw new ArgumentOutOfRangeException(nameof(newtonSteps), newtonSteps, "Newton needs at least one step");
        if (!(newtonStepSize > 0) || !double.IsFinite(newtonStepSize))
            throw new ArgumentOutOfRangeException(nameof(newtonStepSize), newtonStepSize, "Newton step size must be finite and > 0");
        if (!(epochs > 0) || !double.IsFinite(epochs)) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be finite and > 0");
        if (expectedBatchSize < 0)
            throw new ArgumentOutOfRangeException(nameof(expectedBatchSize), expectedBatchSize, "expected batch size must be >= 0 (0 = full batch)");
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learning rate must be finite and > 0");
        if (!(gradientClip >= 0) || !double.IsFinite(gradientClip))
            throw new ArgumentOutOfRangeException(nameof(gradientClip), gradientClip, "gradient clip must be finite and >= 0 (0 = √2·C_x)");
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1)");
        if (!(averaging >= 0 && averaging < 1)) throw new ArgumentOutOfRangeException(nameof(averaging), averaging, "the average's decay must be in [0, 1)");
        (Method, FeatureMap, Regularisation, NewtonSteps, NewtonStepSize, Epochs, ExpectedBatchSize, LearningRate, GradientClip, Momentum, Averaging) =
            (method, featureMap, regularisation, newtonSteps, newtonStepSize, epochs, expectedBatchSize, learningRate, gradientClip, momentum, averaging);
        AverageViews = averageViews;
    }

    public LastLayerMethod Method { get; }
    public FeatureMap FeatureMap { get; }
    /// <summary>λ, added to XᵀX (or each Hessian block) before solving; in the units of those sums.</summary>
    public double Regularisation { get; }
    public int NewtonSteps { get; }
    public double NewtonStepSize { get; }
    public double Epochs { get; }
    /// <summary>Expected Poisson batch L; 0 (or ≥ N) = full batch, every example in every step (q = 1).</summary>
    public int ExpectedBatchSize { get; }
    public double LearningRate { get; }
    /// <summary>Per-example gradient clip C_g of the SGD methods; 0 = √2·C_x, which no gradient exceeds (clipping never binds).</summary>
    public double GradientClip { get; }

    /// <summary>Heavy-ball momentum μ of the SGD methods (0 = plain SGD).</summary>
    public double Momentum { get; }

    /// <summary>Decay β of the exponential moving average of the SGD iterates that is returned instead of the last one (0 = off).</summary>
    public double Averaging { get; }

    /// <summary>
    /// Whether each SGD example contributes the mean gradient of its views (e.g. the image and its mirror image), clipped once
    /// (<see cref="ViewAveragedGradientSum"/>); the features must then carry other views.
    /// </summary>
    public bool AverageViews { get; }

    public double EffectiveGradientClip => GradientClip > 0 ? GradientClip : LastLayerSensitivity.LogisticGradient(FeatureMap.ClipNorm);

    /// <summary>q = L/N, or 1 for full batch.</summary>
    public double SamplingRate(int datasetSize) =>
        ExpectedBatchSize == 0 || ExpectedBatchSize >= datasetSize ? 1.0 : (double)ExpectedBatchSize / datasetSize;

    /// <summary>T = ⌈epochs · N / L⌉ (rounded up: conservative), or ⌈epochs⌉ for full batch.</summary>
    public long SgdSteps(int datasetSize) =>
        (long)Math.Ceiling(Epochs / SamplingRate(datasetSize) - 1e-9);
}
