namespace Veil.Actors.Pipeline;

/// <summary>Draws each step's batch (deterministic per step, so a resumed run redraws the same one).</summary>
public interface IStepSource
{
    StepPlan Plan(long step);
}
