using Veil.Actors.Pipeline;
using Xunit;

namespace Veil.Actors.Tests.Pipeline;

public class FailurePolicyTests
{
    [Fact]
    public void A_crashed_worker_is_restarted_while_under_the_limit() =>
        Assert.IsType<FailureDecision.Restart>(FailurePolicy.Decide("worker-1", new InvalidOperationException("boom"), 2, 10));

    [Fact]
    public void A_worker_over_the_restart_limit_aborts_the_run() =>
        Assert.IsType<FailureDecision.Abort>(FailurePolicy.Decide("worker-0", new InvalidOperationException("boom"), 10, 10));

    [Theory]
    [InlineData("accountant")]
    [InlineData("noise")]
    [InlineData("accumulator")]
    [InlineData("optimizer")]
    [InlineData("loader")]
    public void Any_failure_on_the_release_path_aborts_the_run(string child) =>
        Assert.Contains(child, Assert.IsType<FailureDecision.Abort>(FailurePolicy.Decide(child, new IOException("disk full"), 0, 10)).Reason);

    [Fact]
    public void A_failure_restarting_cannot_fix_aborts_even_in_a_worker() =>
        Assert.IsType<FailureDecision.Abort>(FailurePolicy.Decide("worker-0", new RunMustStopException("non-finite loss"), 0, 10));
}
