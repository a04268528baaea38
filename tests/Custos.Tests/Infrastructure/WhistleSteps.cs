using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.Access;
using Custos.Features.People;
using Custos.Features.Whistleblowing;

namespace Custos.Tests.Infrastructure;

/// <summary>Steps of anonymous reporting shared by tests: a solved puzzle, a designated report handler.</summary>
public static class WhistleSteps
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A puzzle from the server, solved as the page's script would.</summary>
    public static async Task<(string Challenge, string Nonce)> SolveAsync(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var puzzle = await JsonAsync(await client.PostAsync("/api/v1/whistle/challenge", null));
        var challenge = puzzle.GetProperty("challenge").GetString()!;
        return (challenge, WhistleService.Solve(challenge, puzzle.GetProperty("bits").GetInt32()));
    }

    /// <summary>A committee member designated to handle reports: seated, the role approved, designated by the compliance officer.</summary>
    public static async Task<(Person Person, WebSession Web)> HandlerAsync(CustosApp app, WebSession officer, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(officer);
        var person = await app.CreatePersonAsync(Roles.Staff);
        var seat = await JsonAsync(await officer.Client.PostAsJsonAsync("/api/v1/committee", new
        {
            person = person.UserName, duties = "受理匿名举报", endsOn = today.AddDays(300).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        }));
        Assert.Equal(RequestStatus.Approved, (await app.ApproveAsync(seat.GetProperty("roleRequestId").GetGuid())).Status);
        await JsonAsync(await officer.Client.PutAsJsonAsync($"/api/v1/committee/{seat.GetProperty("id").GetGuid()}/reports", new { handles = true }));
        var web = app.Session();
        await web.SignInAsync(person.UserName!);
        await web.EnrolMfaAsync();
        return (person, web);
    }
}
