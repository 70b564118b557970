namespace Veil.Compute.Optimizers;

public sealed record ConstantLearningRate(double Rate) : LearningRateSchedule
{
    public override double At(long step)
    {
        RequireStep(step);
        return Rate;
    }
}
