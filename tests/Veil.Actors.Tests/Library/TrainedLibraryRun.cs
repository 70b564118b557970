using Veil.Actors.Library;
using Veil.Actors.Training;

namespace Veil.Actors.Tests.Library;

/// <summary>One finished library run of <see cref="TinyGnNet"/>, shared by the tests that only read what it left behind.</summary>
public sealed class TrainedLibraryRun : IDisposable
{
    public TrainedLibraryRun()
    {
        Log = new StringWriter();
        Result = PrivateTraining.Run(Data.Config(), seed => new TinyGnNet(classes: 10, seed), Data.Train, Data.Test, Log);
    }

    public LibraryRunFolder Data { get; } = new();

    public StringWriter Log { get; }

    public TrainingResult Result { get; }

    public void Dispose() => Data.Dispose();
}
