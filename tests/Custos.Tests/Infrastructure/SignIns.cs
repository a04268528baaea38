using Custos.Features.People;

namespace Custos.Tests.Infrastructure;

/// <summary>Signed-in sessions for one test: a second factor enrolled the first time a person signs in with one, its code given on later sign-ins.</summary>
public sealed class SignIns(CustosApp app)
{
    private readonly Dictionary<Guid, string> authenticators = [];

    public async Task<WebSession> AsAsync(Person person, bool mfa = true)
    {
        ArgumentNullException.ThrowIfNull(person);
        var web = app.Session();
        await web.SignInAsync(person.UserName!);
        if (authenticators.TryGetValue(person.Id, out var key))
        {
            await web.SubmitTotpAsync(key);
        }
        else if (mfa)
        {
            authenticators[person.Id] = await web.EnrolMfaAsync();
        }

        return web;
    }
}
