using Veil.Actors.Telemetry;
using System.Diagnostics;
using Akka.Actor;

namespace Veil.Actors.Pipeline;

/// <summary>Owns the parameters: applies each released noisy gradient and reports the new version.</summary>
public sealed class OptimizerActor : ReceiveActor
{
    public sealed record StepDone(long Step, ParameterSnapshot Parameters, int Examples, double LossSum, int ClippedExamples, double EpsilonSpent);

    public OptimizerActor(IParameterUpdater updater, ParameterSnapshot initial, IActorRef coordinator)
    {
        var current = initial;
        Receive<NoiseActor.NoisyGradient>(m =>
        {
            using (var span = VeilTelemetry.Traces.StartActivity("veil.update", ActivityKind.Internal, m.Trace))
            {
                span?.SetTag("veil.step", m.Step);
                var clock = Stopwatch.StartNew();
                current = updater.Apply(current, m.NoisySum, m.Step);
                VeilTelemetry.StageWorked("optimizer", clock.Elapsed);
            }
            coordinator.Tell(new StepDone(m.Step, current, m.Examples, m.LossSum, m.ClippedExamples, m.EpsilonSpent));
        });
    }

    public static Props Props(IParameterUpdater updater, ParameterSnapshot initial, IActorRef coordinator) =>
        Akka.Actor.Props.Create(() => new OptimizerActor(updater, initial, coordinator));
}
