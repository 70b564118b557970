using System.Diagnostics;
namespace Veil.Actors.Pipeline;

/// <summary>
/// What one micro-batch contributes: the sum of its per-example clipped gradients, and non-private
/// diagnostics (loss, how many examples were clipped) that are never part of a release.
/// </summary>
public sealed record PartialGradient(float[] ClippedSum, int Examples, double LossSum, int ClippedExamples, float[]? PerExampleNorms = null);
