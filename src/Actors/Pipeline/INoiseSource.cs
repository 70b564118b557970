namespace Veil.Actors.Pipeline;

/// <summary>Adds N(0, (σC)²) to every coordinate, drawn deterministically for (run seed, step).</summary>
public interface INoiseSource
{
    void AddNoise(float[] clippedSum, long step);
}
