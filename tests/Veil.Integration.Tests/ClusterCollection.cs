using Veil.TestSupport.Postgres;
using Xunit;

namespace Veil.Integration.Tests;

/// <summary>
/// The cluster tests run one after another: each holds several nodes whose heartbeats must keep time on a
/// 2-core machine. One throw-away PostgreSQL server serves them (each test that needs it gets its own database).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "Cluster nodes";
}
