namespace Veil.Compute.Optimizers;

/// <summary>η_t = final + (initial − final)·(1 + cos(π·t/T))/2 for t ≤ T, then final.</summary>
public sealed record CosineLearningRate(double Initial, long TotalSteps, double Final = 0) : LearningRateSchedule
{
    public override double At(long step)
    {
        RequireStep(step);
        if (TotalSteps <= 0) return Final;
        double progress = Math.Min(step, TotalSteps) / (double)TotalSteps;
        return Final + (Initial - Final) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
