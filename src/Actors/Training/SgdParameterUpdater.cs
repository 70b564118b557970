using Veil.Actors.Pipeline;
using Veil.Compute.Optimizers;

namespace Veil.Actors.Training;

/// <summary>
/// θ ← SGD-momentum(θ, G / L) with L the plan's expected batch size and η from the schedule; then, when veil.optimizer.ema is on,
/// the moving average of the parameters takes the new θ (the coordinator's optimizer owns it, in a cluster too).
/// </summary>
public sealed class SgdParameterUpdater(
    SgdMomentum optimizer, LearningRateSchedule schedule, ExpectedBatchSize expectedBatchSize, ExponentialMovingAverage? average = null)
    : IParameterUpdater
{
    public ParameterSnapshot Apply(ParameterSnapshot current, float[] noisySum, long step)
    {
        // A new array each step: the old snapshot may still be in use by a worker's in-flight message.
        var next = (float[])current.Values.Clone();
        optimizer.ApplyNoisySum(next, noisySum, expectedBatchSize, schedule.At(step));
        average?.Update(next);
        return new ParameterSnapshot(current.Version + 1, next);
    }
}
