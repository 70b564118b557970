namespace Veil.Compute.Clipping;

/// <summary>
/// A loss or gradient was NaN/∞. Clipping a NaN does not bound it, so such a micro-batch must never reach
/// the sum: the step fails loudly instead (typically a learning rate that is too high).
/// </summary>
public sealed class NonFiniteGradientException : Exception
{
    public NonFiniteGradientException(string what, long? step)
        : base(
            $"Non-finite {what}{(step is { } s ? $" at step {s}" : "")}; the micro-batch was discarded. A learning rate that is too high is the usual cause.")
    {
        Step = step;
    }

    public long? Step { get; }
}
