using Veil.Actors.Checkpoints;
using Veil.Actors.Pipeline;
using Veil.Actors.Training;
using Veil.Compute.Optimizers;
using Veil.Ledger.Plan;
using Xunit;

namespace Veil.Actors.Tests.Training;

/// <summary>The optimizer's state (velocity and moving average) goes through a checkpoint file and continues bit for bit.</summary>
public sealed class EmaResumeTests
{
    private const int Parameters = 5;
    private const double Momentum = 0.9, Beta = 0.95;

    [Fact]
    public void The_ema_model_survives_a_resume_exactly()
    {
        var initial = new ParameterSnapshot(0, [0.1f, -0.2f, 0.3f, 0f, 1f]);
        var (straight, straightAverage) = Train(initial, new OptimizerState(new float[Parameters], initial.Values), 0, 8);

        var (half, halfAverage) = Train(initial, new OptimizerState(new float[Parameters], initial.Values), 0, 4);
        var checkpoint = Decode(Encode(half.Parameters.Values, half.State with { Average = halfAverage }));
        var (resumed, resumedAverage) = Train(new ParameterSnapshot(4, checkpoint.Parameters),
            new OptimizerState(checkpoint.Velocity, checkpoint.Average), 4, 8);

        Assert.Equal(straight.Parameters.Values, resumed.Parameters.Values);
        Assert.Equal(straightAverage, resumedAverage);
        Assert.NotEqual(straight.Parameters.Values, straightAverage); // the average is a state of its own, not a copy of θ
    }

    [Fact]
    public void A_checkpoint_without_an_average_reads_back_without_one()
    {
        var checkpoint = Decode(Encode(new float[Parameters], new OptimizerState(new float[Parameters], null)));
        Assert.Null(checkpoint.Average);
    }

    private sealed record Trained(ParameterSnapshot Parameters, OptimizerState State);

    // Steps [from, to) of a fixed sequence of noisy sums, as the optimizer actor applies them.
    private static (Trained Trained, float[]? Average) Train(ParameterSnapshot start, OptimizerState state, long from, long to)
    {
        var sgd = new SgdMomentum(state.Velocity, Momentum);
        var average = state.Average is null ? null : new ExponentialMovingAverage(state.Average, Beta);
        var updater = new SgdParameterUpdater(sgd, new ConstantLearningRate(0.5), new ExpectedBatchSize(3), average);
        var current = start;
        for (long step = from; step < to; step++)
            current = updater.Apply(current, Enumerable.Range(0, Parameters).Select(i => (float)Math.Sin(7 * step + i)).ToArray(), step);
        return (new Trained(current, new OptimizerState(sgd.ExportVelocity(), average?.Export())), average?.Export());
    }

    private static byte[] Encode(float[] parameters, OptimizerState state) => CheckpointFile.Encode(new Checkpoint(
        "run", 4, 4, "mlp", Plan, "00", "00", 4, 4, DateTimeOffset.UnixEpoch, parameters, state.Velocity, state.Average));

    private static Checkpoint Decode(byte[] bytes) => CheckpointFile.Decode(bytes, "checkpoint");

    private static DpPlan Plan => new(0.1, 1.0, 1.0, 10, 1e-5, new string('f', 64), 100);
}
