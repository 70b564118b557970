namespace Veil.Actors;

public static class Program
{
    public static int Main(string[] args) => Cli.VeilCommandLine.Run(args);
}
