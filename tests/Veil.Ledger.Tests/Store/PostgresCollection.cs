using Veil.TestSupport.Postgres;
using Xunit;

namespace Veil.Ledger.Tests.Store;

/// <summary>One throw-away PostgreSQL server for every test in this collection (each test gets its own database).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}
