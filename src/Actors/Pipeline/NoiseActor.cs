using Veil.Actors.Telemetry;
using System.Diagnostics;
using Akka.Actor;

namespace Veil.Actors.Pipeline;

/// <summary>
/// Adds the Gaussian noise, once per logical batch, after the full sum, and releases the noisy
/// gradient only after the accountant confirms the step's DP event is durably in the ledger.
/// </summary>
public sealed class NoiseActor : ReceiveActor
{
    /// <summary>The released, noisy sum Σ clipped + N(0, σ²C²) of one step, with non-private diagnostics.</summary>
    public sealed record NoisyGradient(
        long Step, float[] NoisySum, int Examples, double LossSum, int ClippedExamples, double EpsilonSpent, ActivityContext Trace = default);

    /// <summary>The ledger refused the release (budget); the run must stop without it.</summary>
    public sealed record ReleaseRefused(long Step, string Reason);

    private readonly IActorRef _accountant;
    private readonly IActorRef _optimizer;
    private readonly IActorRef _supervisor;
    private readonly INoiseSource _noise;
    private readonly Dictionary<long, AccumulatorActor.ClippedSum> _awaitingLedger = new();

    public NoiseActor(IActorRef accountant, IActorRef optimizer, IActorRef supervisor, INoiseSource noise)
    {
        _accountant = accountant;
        _optimizer = optimizer;
        _supervisor = supervisor;
        _noise = noise;
        Receive<AccumulatorActor.ClippedSum>(m =>
        {
            // A NaN or ∞ in the sum would leak through the noise unbounded: never record, never release it.
            if (!AllFinite(m.Sum))
            {
                _supervisor.Tell(new ReleaseRefused(
                    m.Step, $"the clipped sum of step {m.Step} is not finite (NaN or ∞ from a worker); nothing was recorded or released"));
                return;
            }
            if (!_awaitingLedger.TryAdd(m.Step, m)) return; // the same step twice would be noise twice: never
            _accountant.Tell(new AccountantActor.RecordRelease(m.Step, m.Trace));
        });
        Receive<AccountantActor.ReleaseRecorded>(m =>
        {
            if (!_awaitingLedger.Remove(m.Step, out var clipped)) return;
            using (var span = VeilTelemetry.Traces.StartActivity("veil.noise", ActivityKind.Internal, clipped.Trace))
            {
                span?.SetTag("veil.step", m.Step);
                var clock = Stopwatch.StartNew();
                _noise.AddNoise(clipped.Sum, m.Step);
                VeilTelemetry.StageWorked("noise", clock.Elapsed);
            }
            _optimizer.Tell(new NoisyGradient(m.Step, clipped.Sum, clipped.Examples, clipped.LossSum, clipped.ClippedExamples, m.EpsilonSpent, clipped.Trace));
        });
        Receive<AccountantActor.ReleaseDenied>(m =>
        {
            _awaitingLedger.Remove(m.Step);
            _supervisor.Tell(new ReleaseRefused(m.Step, m.Reason));
        });
    }

    private static bool AllFinite(float[] values)
    {
        foreach (var v in values)
            if (!float.IsFinite(v)) return false;
        return true;
    }

    public static Props Props(IActorRef accountant, IActorRef optimizer, IActorRef supervisor, INoiseSource noise) =>
        Akka.Actor.Props.Create(() => new NoiseActor(accountant, optimizer, supervisor, noise));
}
