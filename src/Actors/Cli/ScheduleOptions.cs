using System.CommandLine;
using Veil.Ledger.Accountants.Calibration;

namespace Veil.Actors.Cli;

/// <summary>
/// A sampling schedule given either as (--sampling-rate, --steps) or as
/// (--dataset-size, --batch-size, --epochs); exactly one of the two forms.
/// </summary>
public sealed class ScheduleOptions
{
    public Option<double?> SamplingRate { get; } = CliOptions.SamplingRate();
    public Option<long?> Steps { get; } = CliOptions.Steps();
    public Option<long?> DatasetSize { get; } = CliOptions.Ranged<long?>(
        "--dataset-size", "Dataset size N (instead of --sampling-rate/--steps).", v => v > 0, "[1, ∞)");
    public Option<long?> BatchSize { get; } = CliOptions.Ranged<long?>("--batch-size", "Expected (logical) batch size L, so q = L/N.", v => v > 0, "[1, ∞)");
    public Option<double?> Epochs { get; } = CliOptions.Ranged<double?>(
        "--epochs", "Epochs; T = ⌈epochs·N/L⌉ (rounded up: conservative).", v => v >= 0 && double.IsFinite(v.Value), "[0, ∞)");

    public void AddTo(Command command)
    {
        command.Add(SamplingRate);
        command.Add(Steps);
        command.Add(DatasetSize);
        command.Add(BatchSize);
        command.Add(Epochs);
    }

    public SamplingSchedule Resolve(ParseResult p)
    {
        var q = p.GetValue(SamplingRate);
        var t = p.GetValue(Steps);
        var n = p.GetValue(DatasetSize);
        var l = p.GetValue(BatchSize);
        var ep = p.GetValue(Epochs);
        var direct = q is not null || t is not null;
        var epochs = n is not null || l is not null || ep is not null;
        if (direct && epochs)
            throw new CliUsageException("give either --sampling-rate with --steps, or --dataset-size with --batch-size and --epochs, not both");
        if (epochs)
        {
            if (n is null || l is null || ep is null)
                throw new CliUsageException(
                    $"{Missing((n, "--dataset-size"), (l, "--batch-size"), (ep, "--epochs"))} is " +
                    $"required with the epochs form (--dataset-size N --batch-size L --epochs EP)");
            if (l > n) throw new CliUsageException($"--batch-size must be in [1, --dataset-size = {n}], got {l}");
            return SamplingSchedule.FromEpochs(n.Value, l.Value, ep.Value);
        }
        if (q is null || t is null)
            throw new CliUsageException($"{Missing((q, "--sampling-rate"), (t, "--steps"))} is required (or use --dataset-size N --batch-size L --epochs EP)");
        return new SamplingSchedule(q.Value, t.Value);
    }

    private static string Missing(params (object? Value, string Name)[] options) =>
        string.Join(" and ", options.Where(o => o.Value is null).Select(o => o.Name));
}
