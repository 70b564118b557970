namespace Veil.Compute.Optimizers;

/// <summary>η_t = initial · factor^⌊t / every⌋.</summary>
public sealed record StepDecayLearningRate(double Initial, double Factor, long Every) : LearningRateSchedule
{
    public override double At(long step)
    {
        RequireStep(step);
        if (Every <= 0) throw new InvalidOperationException($"Step decay needs a positive period; got every = {Every}.");
        return Initial * Math.Pow(Factor, step / Every);
    }
}
