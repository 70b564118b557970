using Veil.Compute.Runtime;
using Xunit;

namespace Veil.Compute.Tests.Native;

public sealed class OpenMpWaitPolicyTests
{
    [Fact]
    public void Once_libtorch_is_loaded_OpenMP_waits_passively_unless_the_user_chose_a_policy()
    {
        TorchRuntime.EnsureLoaded();
        // The managed environment is the process's environment at start-up: the user's choice, if any.
        var chosen = Environment.GetEnvironmentVariable(OpenMpWaitPolicy.Variable);
        Assert.Equal(chosen ?? "PASSIVE", OpenMpWaitPolicy.Current);
    }
}
