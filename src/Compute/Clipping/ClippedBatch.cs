namespace Veil.Compute.Clipping;

/// <summary>
/// The result of one micro-batch: Σ_i c_i g_i over its examples (ParameterLayout order), how many examples,
/// the summed loss, and each example's gradient norm BEFORE clipping. The norms and the loss are
/// non-private diagnostics (telemetry, clip fraction), never to be released as model outputs.
/// </summary>
public sealed record ClippedBatch(float[] Sum, int Examples, double LossSum, float[] PerExampleNorms);
