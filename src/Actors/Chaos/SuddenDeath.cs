using System.Diagnostics;

namespace Veil.Actors.Chaos;

/// <summary>Dies the way a machine does: SIGKILL to itself, no finalisers, no clean-up, no flushing of anything but the log line.</summary>
public static class SuddenDeath
{
    public static void Now(string where)
    {
        ChaosLog.Injected($"abrupt process exit {where}");
        Console.Out.Flush();
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }
}
