using Akka.Configuration;
using Veil.Compute.LastLayer;

namespace Veil.Actors.Configuration;

/// <summary>`veil.mode` and `veil.last-layer.*`, read and validated once (every key is documented in hocon/reference.conf).</summary>
public sealed record LastLayerSettings(
    string Method, string Features, double FeatureClip, double BiasFeature, double Regularisation,
    double TargetEpsilon, double NoiseScale,
    int NewtonSteps, double NewtonStepSize,
    double Epochs, int ExpectedBatchSize, double LearningRate, double GradientClip,
    double SplitCovariance, double SplitTargets, double SplitGradient, double SplitHessian, double SplitSgd,
    ScatterNetSettings? ScatterNetBlock = null, int ValidationExamples = 0, double Momentum = 0, double Averaging = 0,
    bool FlipViews = false, bool TestTimeFlip = false, int TestTimeShift = 0, int ShiftViews = 0)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public ScatterNetSettings ScatterNet => ScatterNetBlock ?? ScatterNetSettings.Default;

    public static IReadOnlyList<(string Word, RunMode Value)> Modes { get; } = [("dp-sgd", RunMode.DpSgd), ("last-layer", RunMode.LastLayer)];

    /// <summary>veil.mode: dp-sgd (the whole model, the actor pipeline) or last-layer (a private head on frozen features).</summary>
    public static RunMode Mode(Config c) => ConfigChoice.Read(c, "veil.mode", Modes);

    public static LastLayerSettings Create(Config c)
    {
        double Positive(string key) => ConfigReading.Double(c, key, v => v > 0 && double.IsFinite(v), "(0, ∞)");
        int Int(string key, int min) =>
            (int)ConfigReading.Double(c, key, v => v >= min && v <= int.MaxValue && v == Math.Floor(v), $"integers [{min}, {int.MaxValue}]");

        var clip = Positive("veil.last-layer.feature-clip");
        var bias = ConfigReading.Double(
            c, "veil.last-layer.bias-feature", v => v >= 0 && v < clip, $"[0, feature-clip = {clip}) (it counts inside the clip norm)");
        return new LastLayerSettings(
            ConfigReading.OneOf(c, "veil.last-layer.method", LastLayerMethods.Names),
            ConfigReading.NonEmpty(c, "veil.last-layer.features"),
            clip, bias,
            Positive("veil.last-layer.regularisation"),
            Positive("veil.last-layer.target-epsilon"),
            ConfigReading.Double(c, "veil.last-layer.noise-scale", v => v >= 0 && double.IsFinite(v), "[0, ∞) (0 = calibrate to target-epsilon)"),
            Int("veil.last-layer.newton.steps", 1),
            Positive("veil.last-layer.newton.step-size"),
            Positive("veil.last-layer.sgd.epochs"),
            Int("veil.last-layer.sgd.expected-batch-size", 0),
            Positive("veil.last-layer.sgd.learning-rate"),
            ConfigReading.Double(c, "veil.last-layer.sgd.gradient-clip", v => v >= 0 && double.IsFinite(v), "[0, ∞) (0 = √2·feature-clip)"),
            Positive("veil.last-layer.split.covariance"), Positive("veil.last-layer.split.targets"),
            Positive("veil.last-layer.split.gradient"), Positive("veil.last-layer.split.hessian"), Positive("veil.last-layer.split.sgd"),
            ScatterNetSettings.Create(c),
            Int("veil.last-layer.validation-examples", 0),
            ConfigReading.Double(c, "veil.last-layer.sgd.momentum", v => v >= 0 && v < 1, "[0, 1)"),
            ConfigReading.Double(c, "veil.last-layer.sgd.average", v => v >= 0 && v < 1, "[0, 1) (0 = off)"),
            ConfigReading.Boolean(c, "veil.last-layer.sgd.flip-views"),
            ConfigReading.Boolean(c, "veil.last-layer.test-time-flip"),
            (int)ConfigReading.Double(c, "veil.last-layer.test-time-shift", v => v >= 0 && v <= 8 && v == Math.Floor(v), "integers [0, 8] (pixels; 0 = off)"),
            (int)ConfigReading.Double(c, "veil.last-layer.sgd.shift-views", v => v >= 0 && v <= 8 && v == Math.Floor(v), "integers [0, 8] (pixels; 0 = off)"));
    }

    public LastLayerOptions Options() => new(LastLayerMethods.Parse(Method), new FeatureMap(FeatureClip, BiasFeature), Regularisation,
        NewtonSteps, NewtonStepSize, Epochs, ExpectedBatchSize, LearningRate, GradientClip, Momentum, Averaging, averageViews: FlipViews || ShiftViews > 0);

    public BudgetSplit Split() => new(SplitCovariance, SplitTargets, SplitGradient, SplitHessian, SplitSgd);
}
