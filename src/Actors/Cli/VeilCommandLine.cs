namespace Veil.Actors.Cli;

public static class VeilCommandLine
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("veil: no verbs yet");
        return 2;
    }
}
