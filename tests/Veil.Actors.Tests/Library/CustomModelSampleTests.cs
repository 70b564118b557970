using System.Globalization;
using Veil.Actors.Tests.Training;
using Veil.Ledger.Store;
using Sample = Veil.Samples.CustomModel.Program;
using Xunit;

namespace Veil.Actors.Tests.Library;

/// <summary>samples/CustomModel is compiled with these tests and run by them, so the sample cannot fall behind the library.</summary>
[Collection(TrainingCollection.Name)]
public class CustomModelSampleTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "veil-library-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void The_sample_trains_its_own_network_prints_accuracy_and_epsilon_and_its_releases_are_in_its_ledger()
    {
        var output = new StringWriter();
        var result = Sample.Run(_folder, output);

        var printed = output.ToString();
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"test accuracy {result.TestAccuracy:P2} at ε = {result.Epsilon:F3}"), printed);
        Assert.True(result.TestAccuracy > 0.5, $"accuracy {result.TestAccuracy} (chance is 0.1)");
        Assert.Equal(Path.Combine(_folder, "ledger.sqlite"), result.LedgerPath);
        using var store = SqliteLedgerStore.Open(result.LedgerPath, createIfMissing: false);
        Assert.True(store.Verify().Valid);
        var records = store.ReadAll();
        Assert.Equal(result.Steps, records.Count);
        Assert.All(records, r => Assert.Equal(result.RunId, r.RunId));
        Assert.True(result.Epsilon is > 0 and <= 3.0 + 1e-3, $"ε = {result.Epsilon}");
    }
}
