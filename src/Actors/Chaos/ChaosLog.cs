namespace Veil.Actors.Chaos;

/// <summary>Every injected fault is announced on stderr, so a log never mistakes one for a real failure.</summary>
public static class ChaosLog
{
    public static void Injected(string what)
    {
        Console.Error.WriteLine($"chaos: injecting {what}");
        Console.Error.Flush();
    }
}
