namespace Veil.Actors.Transfer;

/// <summary>
/// Penultimate-layer features of one split through a frozen backbone: Values is Count × Dimension, row-major.
/// DatasetFingerprint is the split's own (for the training split: the private set's ledger key).
/// </summary>
public sealed record ExtractedFeatures(float[] Values, int Count, int Dimension, long[] Labels, int Classes, string DatasetFingerprint, bool FromCache);
