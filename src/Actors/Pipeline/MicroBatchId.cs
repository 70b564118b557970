namespace Veil.Actors.Pipeline;

/// <summary>Identity of one micro-batch: the accumulator counts each (step, index) exactly once.</summary>
public readonly record struct MicroBatchId(long Step, int Index)
{
    public override string ToString() => $"step {Step} micro-batch {Index}";
}
