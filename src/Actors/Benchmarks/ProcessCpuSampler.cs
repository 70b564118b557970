using System.Globalization;

namespace Veil.Actors.Benchmarks;

/// <summary>
/// Samples the CPU time of a benchmark's child processes from /proc (Linux), whole and by thread, on a thread of its own, so
/// that the CPU spent between two instants the processes report (the ledger's first and last timed append) can be read
/// afterwards by interpolation. CPU seconds, unlike wall time, are not inflated by other work on a shared machine.
/// Elsewhere than Linux it records nothing.
/// </summary>
public sealed class ProcessCpuSampler : IDisposable
{
    private sealed record Sample(long UnixMs, double Total, Dictionary<string, double> Threads);

    // Linux's USER_HZ: /proc reports CPU time in these ticks.
    private const double TicksPerSecond = 100;

    private readonly List<(string Role, int Pid, List<Sample> Samples)> _processes = new();
    private readonly TimeSpan _period;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    public ProcessCpuSampler(TimeSpan period)
    {
        _period = period;
        _thread = new Thread(Loop) { IsBackground = true, Name = "cpu-sampler" };
        _thread.Start();
    }

    public void Watch(string role, int pid)
    {
        lock (_processes) _processes.Add((role, pid, new List<Sample>()));
    }

    /// <summary>Each watched process's CPU seconds per step between two instants (Unix ms); empty where /proc says nothing.</summary>
    public IReadOnlyList<ProcessCpu> Between(long fromUnixMs, long toUnixMs, int steps)
    {
        lock (_processes)
        {
            var result = new List<ProcessCpu>();
            foreach (var (role, _, samples) in _processes)
            {
                if (samples.Count < 2 || samples[0].UnixMs > fromUnixMs || samples[^1].UnixMs < toUnixMs) continue;
                var from = At(samples, fromUnixMs);
                var to = At(samples, toUnixMs);
                var threads = to.Threads.Select(t => (t.Key, (t.Value - from.Threads.GetValueOrDefault(t.Key)) / steps))
                    .Where(t => t.Item2 > 0).OrderByDescending(t => t.Item2).ToList();
                var live = threads.Sum(t => t.Item2);
                var total = (to.Total - from.Total) / steps;
                if (total - live > 1e-9) threads.Add(("exited threads", total - live));
                result.Add(new ProcessCpu(role, total, threads));
            }
            return result;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private void Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            lock (_processes)
                foreach (var (_, pid, samples) in _processes)
                    if (Read(pid) is { } sample) samples.Add(sample);
            _stop.Token.WaitHandle.WaitOne(_period);
        }
    }

    // Linear interpolation between the samples around the instant; thread names missing on one side count from zero.
    private static Sample At(List<Sample> samples, long unixMs)
    {
        var after = samples.FindIndex(s => s.UnixMs >= unixMs);
        if (after <= 0) return samples[Math.Max(0, after)];
        var (a, b) = (samples[after - 1], samples[after]);
        var w = b.UnixMs == a.UnixMs ? 1 : (double)(unixMs - a.UnixMs) / (b.UnixMs - a.UnixMs);
        double Mix(double x, double y) => x + w * (y - x);
        var threads = a.Threads.Keys.Union(b.Threads.Keys)
            .ToDictionary(k => k, k => Mix(a.Threads.GetValueOrDefault(k), b.Threads.GetValueOrDefault(k)));
        return new Sample(unixMs, Mix(a.Total, b.Total), threads);
    }

    private static Sample? Read(int pid)
    {
        try
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (Ticks(File.ReadAllText($"/proc/{pid}/stat")) is not { } total) return null;
            var threads = new Dictionary<string, double>();
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                string stat;
                try
                {
                    stat = File.ReadAllText(Path.Combine(task, "stat"));
                }
                catch (IOException)
                {
                    continue; // the thread ended meanwhile: its time is in the process total
                }
                if (Ticks(stat) is not { } ticks) continue;
                var name = Group(stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')]);
                threads[name] = threads.GetValueOrDefault(name) + ticks / TicksPerSecond;
            }
            return new Sample(now, total / TicksPerSecond, threads);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // not Linux, or the process is gone
        }
    }

    // utime + stime: fields 14 and 15 of /proc/.../stat, counted after the command name (which may hold spaces).
    private static double? Ticks(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 12
            && long.TryParse(fields[11], NumberStyles.Integer, CultureInfo.InvariantCulture, out var user)
            && long.TryParse(fields[12], NumberStyles.Integer, CultureInfo.InvariantCulture, out var system)
                ? user + system
                : null;
    }

    private static string Group(string name) => name.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '_', '-', '#', ' ');
}
