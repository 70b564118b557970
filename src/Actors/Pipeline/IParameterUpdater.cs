namespace Veil.Actors.Pipeline;

/// <summary>Applies a noisy gradient sum to the parameters (SGD with momentum, schedule, ÷ the expected batch size).</summary>
public interface IParameterUpdater
{
    ParameterSnapshot Apply(ParameterSnapshot current, float[] noisySum, long step);
}
