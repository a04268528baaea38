using Custos.Tests.Infrastructure;

namespace Custos.Tests.SubjectRequests;

/// <summary><c>custos subject-request list</c> (PIPL-44..47): the requests from a terminal, for the people who handle or oversee them only.</summary>
[Collection(CommandLineTest.Collection)]
public sealed class SubjectRequestCommandTests : CommandLineTest
{
    [Fact]
    public async Task Subject_requests_are_listed_from_the_command_line_for_those_who_handle_or_oversee_them_PIPL_44()
    {
        await FoundAsync();
        Assert.Equal(0, (await RunAsync("user", "add", "li.clerk", "--name", "李文员", "--role", "staff")).ExitCode);
        var list = await RunAsync("--as", "li.clerk", "subject-request", "list", "--open");
        Assert.True(list.ExitCode == 0, list.Error);
        Assert.True(list.Out.Contains("Received", StringComparison.Ordinal), list.Out);

        // Not a role that handles customers' requests: refused.
        Assert.Equal(0, (await RunAsync("user", "add", "zhao.it", "--name", "赵运维", "--role", "it-admin")).ExitCode);
        Assert.NotEqual(0, (await RunAsync("--as", "zhao.it", "subject-request", "list")).ExitCode);
    }
}
