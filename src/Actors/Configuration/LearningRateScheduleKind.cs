namespace Veil.Actors.Configuration;

/// <summary>veil.optimizer.schedule.</summary>
public enum LearningRateScheduleKind
{
    Constant,
    Cosine,
}
