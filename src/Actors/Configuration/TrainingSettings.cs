using Akka.Configuration;

namespace Veil.Actors.Configuration;

/// <summary>`veil.run/data/model/dp/optimizer/runtime/eval.*`, read and validated once. Privacy-deciding values
/// (batch, epochs, C, σ) end up in the frozen DpPlan; the runtime knobs cannot touch it.</summary>
public sealed record TrainingSettings(
    string RunDirectory, ulong Seed,
    string DataName, string DataPath, int TrainExamples, int TestExamples,
    string Model, int InitSeed,
    int ExpectedBatchSize, double Epochs, double ClipNorm, double NoiseMultiplier, double TargetEpsilon,
    double LearningRate, double Momentum, string Schedule,
    IReadOnlyList<string> Devices, int WorkersPerDevice, int ThreadsPerWorker, int MicroBatchSize,
    int DecodeThreads, int PrefetchMicroBatches,
    int EvalBatchSize,
    string Unsupported = "refuse", string PerExampleMethod = "fast", int EvalEverySteps = 0)
{
    public static readonly IReadOnlyList<string> Models = ["tanh-cnn", "mlp"];
    public static readonly IReadOnlyList<string> Schedules = ["constant", "cosine"];

    public static TrainingSettings Create(Config c)
    {
        int Int(string key, int min, int max) =>
            (int)ConfigReading.Double(c, key, v => v >= min && v <= max && v == Math.Floor(v), $"integers [{min}, {max}]");

        var seedText = c.GetString("veil.run.seed");
        if (!ulong.TryParse(seedText, out var seed))
            throw new ConfigurationException($"veil.run.seed = \"{seedText}\" is not an unsigned integer; expected 0 (draw from the CSPRNG) or a fixed seed");
        var devices = c.GetStringList("veil.runtime.devices");
        if (devices.Count == 0) throw new ConfigurationException("veil.runtime.devices is empty; expected e.g. [\"cpu\"] or [\"cuda:0\"]");
        return new TrainingSettings(
            ConfigReading.NonEmpty(c, "veil.run.dir"), seed,
            ConfigReading.OneOf(c, "veil.data.name", ["fashion-mnist"]), c.GetString("veil.data.path") ?? "",
            Int("veil.data.train-examples", 0, int.MaxValue), Int("veil.data.test-examples", 0, int.MaxValue),
            ConfigReading.OneOf(c, "veil.model.name", Models), Int("veil.model.init-seed", 0, int.MaxValue),
            Int("veil.dp.expected-batch-size", 1, int.MaxValue),
            ConfigReading.Double(c, "veil.dp.epochs", v => v > 0 && double.IsFinite(v), "(0, ∞)"),
            ConfigReading.Double(c, "veil.dp.clip-norm", v => v > 0 && double.IsFinite(v), "(0, ∞)"),
            ConfigReading.Double(c, "veil.dp.noise-multiplier", v => v >= 0 && double.IsFinite(v), "[0, ∞) (0 = calibrate)"),
            ConfigReading.Double(c, "veil.dp.target-epsilon", v => v > 0 && double.IsFinite(v), "(0, ∞)"),
            ConfigReading.Double(c, "veil.optimizer.learning-rate", v => v > 0 && double.IsFinite(v), "(0, ∞)"),
            ConfigReading.Double(c, "veil.optimizer.momentum", v => v is >= 0 and < 1, "[0, 1)"),
            ConfigReading.OneOf(c, "veil.optimizer.schedule", Schedules),
            devices.ToArray(), Int("veil.runtime.workers-per-device", 1, 64), Int("veil.runtime.threads-per-worker", 0, 1024),
            Int("veil.runtime.micro-batch-size", 1, 1 << 20), Int("veil.runtime.decode-threads", 1, 64),
            Int("veil.runtime.prefetch-micro-batches", 1, 1 << 16),
            Int("veil.eval.batch-size", 1, 1 << 20),
            ConfigReading.OneOf(c, "veil.dp.unsupported", ["refuse", "naive"]),
            ConfigReading.OneOf(c, "veil.dp.per-example-method", ["fast", "materialised", "naive"]),
            Int("veil.eval.every-steps", 0, int.MaxValue));
    }
}
