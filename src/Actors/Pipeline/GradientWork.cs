namespace Veil.Actors.Pipeline;

/// <summary>A decoded micro-batch: Count examples, inputs flattened (Count × features), labels. Owned, not borrowed.</summary>
public sealed record GradientWork(MicroBatchId Id, int Count, float[] Inputs, long[] Labels);
