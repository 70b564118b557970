namespace Veil.Compute.Transfer;

/// <summary>How pixels were turned into inputs during pre-training: x = (byte/255
/// − Mean) / Std. Fine-tuning and feature extraction must use the same.</summary>
public sealed record BackbonePreprocessing(double Mean, double Std);
