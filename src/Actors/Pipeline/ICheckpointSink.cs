namespace Veil.Actors.Pipeline;

/// <summary>
/// Called by the coordinator after each step's update, before the next step opens (the optimizer is
/// idle then, so its state is consistent). Writes a checkpoint when one is due; throws if it cannot.
/// </summary>
public interface ICheckpointSink
{
    void AfterStep(long stepsApplied, ParameterSnapshot parameters, bool lastStep);
}
