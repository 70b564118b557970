namespace Veil.Compute.Optimizers;

/// <summary>η as a function of the 0-based step. Records, so a schedule is data that can be logged and compared.</summary>
public abstract record LearningRateSchedule
{
    public abstract double At(long step);

    protected static void RequireStep(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "Steps count from 0.");
    }
}
