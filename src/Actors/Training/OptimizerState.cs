namespace Veil.Actors.Training;

/// <summary>What the optimizer carries from step to step besides the parameters: the momentum velocity and, when
/// veil.optimizer.ema is on, the moving average of the parameters (null when off).</summary>
public sealed record OptimizerState(float[] Velocity, float[]? Average);
