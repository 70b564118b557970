using Veil.Actors.Telemetry;
using System.Diagnostics;
using Akka.Actor;

namespace Veil.Actors.Pipeline;

/// <summary>
/// The ledger's gatekeeper: records each step's DP event durably (budget permitting) and only then
/// acknowledges. If the ledger cannot be written the actor fails, and with it the run, before any
/// further release.
/// </summary>
public sealed class AccountantActor : ReceiveActor
{
    public sealed record RecordRelease(long Step, ActivityContext Trace = default);

    public sealed record ReleaseRecorded(long Step, long Sequence, double EpsilonSpent);

    public sealed record ReleaseDenied(long Step, string Reason);

    public AccountantActor(IReleaseRecorder recorder)
    {
        Receive<RecordRelease>(m =>
        {
            using var span = VeilTelemetry.Traces.StartActivity("veil.ledger.append", ActivityKind.Internal, m.Trace);
            span?.SetTag("veil.step", m.Step);
            var clock = Stopwatch.StartNew();
            var decision = recorder.Record(m.Step);
            VeilTelemetry.StageWorked("ledger", clock.Elapsed);
            Sender.Tell(decision switch
            {
                ReleaseDecision.Recorded r => new ReleaseRecorded(m.Step, r.Sequence, r.EpsilonSpent),
                ReleaseDecision.Refused r => (object)new ReleaseDenied(m.Step, r.Reason),
                _ => throw new InvalidOperationException($"unknown release decision {decision}"),
            });
        });
    }

    public static Props Props(IReleaseRecorder recorder) => Akka.Actor.Props.Create(() => new AccountantActor(recorder));
}
