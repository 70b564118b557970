namespace Veil.Compute.Transfer;

/// <summary>
/// Writes the input rows of one minibatch of <see cref="NonPrivateTrainer"/>: row k is example
/// <c>examples[k]</c>, as the model reads it. Lets a caller that owns the raw images (the Actors layer,
/// which may use DataLoading's augmentation) draw a fresh view of each example per step; Compute never
/// sees how. <paramref name="step"/> counts minibatches from 0 over the whole run.
/// </summary>
public delegate void BatchInputWriter(long step, ReadOnlySpan<int> examples, Span<float> rows);
