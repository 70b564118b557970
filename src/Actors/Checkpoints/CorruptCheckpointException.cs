namespace Veil.Actors.Checkpoints;

/// <summary>A checkpoint file that cannot be trusted; the message names it and what is wrong.</summary>
public sealed class CorruptCheckpointException(string path, string problem) : Exception($"checkpoint {path}: {problem}")
{
    public string Path { get; } = path;
}
