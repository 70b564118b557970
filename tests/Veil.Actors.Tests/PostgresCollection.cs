using Veil.TestSupport.Postgres;
using Xunit;

namespace Veil.Actors.Tests;

/// <summary>
/// One throw-away PostgreSQL server for every test in this collection (each test gets its own database).
/// Not parallel with other collections: it holds a training run, which uses all cores and the process-wide
/// torch thread budget (as <c>TrainingCollection</c> does).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}
