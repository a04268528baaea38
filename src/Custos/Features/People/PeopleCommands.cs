using System.CommandLine;
using System.Text.Json;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.People;

/// <summary><c>custos user add|list|disable|enable|reset-mfa|set-password|roles|members|appoint|joining</c>.</summary>
internal static class PeopleCommands
{
    public static Command Create()
    {
        var user = new Command("user", "People who sign in to Custos");
        user.Subcommands.Add(Add());
        user.Subcommands.Add(List());
        user.Subcommands.Add(Simple("disable", "Suspend a person; their sessions end at once", (s, id, ct) => s.DisableAsync(id, ct), "Cli.Disabled"));
        user.Subcommands.Add(Simple("enable", "Re-activate a suspended person", (s, id, ct) => s.EnableAsync(id, ct), "Cli.Enabled"));
        user.Subcommands.Add(Simple("reset-mfa", "Remove a person's authenticator; they enrol again at next sign-in", (s, id, ct) => s.ResetMfaAsync(id, ct), "Cli.MfaReset"));
        user.Subcommands.Add(SetPassword());
        user.Subcommands.Add(SetRoles());
        user.Subcommands.Add(SetMembers());
        user.Subcommands.Add(Appoint());
        user.Subcommands.Add(Joining());
        return user;
    }

    private static readonly Argument<string> UserArgument = new("user") { Description = "User name or id" };

    private static Option<string?> ReasonOption() => new("--reason") { Description = "Why the rights are given (shown to the approvers)" };

    /// <summary>Says what was done and which requests now wait for approval, and with whom.</summary>
    private static void Report(Microsoft.Extensions.Localization.IStringLocalizer text, RightsOutcome outcome, string done)
    {
        if (outcome.Applied || outcome.Pending.Count == 0)
        {
            AnsiConsole.MarkupLine(Markup.Escape(done));
        }

        foreach (var r in outcome.Pending)
        {
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.RightsFiled", r.Id, text["RequestKind." + Kernel.Policy.PolicyFile.KindName(r.Kind)],
                string.Join(" → ", r.Chain.Select(c => text["Role." + c].Value))]));
        }
    }

    private static Option<string[]> Multi(string name, string description) =>
        new(name) { Description = description, AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [] };

    private static Command Add()
    {
        var name = new Argument<string>("user-name") { Description = "Sign-in name (letters, digits, - . _ @)" };
        var display = new Option<string>("--name") { Description = "Display name, e.g. 张伟", Required = true };
        var email = new Option<string?>("--email") { Description = "E-mail address for notifications" };
        var roles = Multi("--role", "Role(s): " + string.Join(", ", Roles.All));
        var departments = Multi("--department", "Department code(s)");
        var projects = Multi("--project", "Project code(s)");
        var clearance = new Option<Clearance>("--clearance") { Description = "Secret, Confidential or TopSecret", DefaultValueFactory = _ => Clearance.Secret };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the initial password from standard input; otherwise one is generated and shown once" };
        var reason = ReasonOption();
        var command = new Command("add", "Create a person; the roles, memberships and clearance asked for are filed for approval") { name, display, email, roles, departments, projects, clearance, passwordStdin, reason };
        command.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var password = parse.GetValue(passwordStdin) ? Cli.ReadSecretFromStdin() : null;
            var chosenRoles = parse.GetValue(roles)!;
            var (person, generated, rights) = await services.GetRequiredService<PeopleService>().CreateAsync(new NewPerson(
                parse.GetValue(name)!, parse.GetValue(display)!, parse.GetValue(email),
                chosenRoles.Length == 0 ? [Roles.Staff] : chosenRoles,
                parse.GetValue(departments)!, parse.GetValue(projects)!, parse.GetValue(clearance), password, parse.GetValue(reason)), token);
            Report(text, rights with { Applied = true }, text["Cli.PersonCreated", person.UserName!, person.Id]);
            if (generated is not null)
            {
                AnsiConsole.MarkupLine(Markup.Escape(text["Cli.GeneratedPassword", generated]));
            }
        }, ct));
        return command;
    }

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var command = new Command("list", "List people") { json };
        command.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var people = await services.GetRequiredService<PeopleService>().ListAsync(token);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(people, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } }));
                return;
            }

            var table = new Table()
                .AddColumn(text["Label.UserName"]).AddColumn(text["Label.DisplayName"]).AddColumn(text["Label.Roles"])
                .AddColumn(text["Label.Departments"]).AddColumn(text["Label.Status"]).AddColumn(text["Label.Mfa"]);
            foreach (var p in people)
            {
                table.AddRow(
                    Markup.Escape(p.UserName), Markup.Escape(p.DisplayName),
                    Markup.Escape(string.Join(", ", p.Roles.Select(r => text["Role." + r].Value))),
                    Markup.Escape(string.Join(", ", p.Departments)),
                    Markup.Escape(text["Status." + p.EmploymentStatus]),
                    Markup.Escape(p.TwoFactorEnabled ? text["Label.Yes"] : text["Label.No"]));
            }

            Cli.Write(table);
        }, ct));
        return command;
    }

    private static Command Simple(string name, string description, Func<PeopleService, Guid, CancellationToken, Task> act, string doneKey)
    {
        var command = new Command(name, description) { UserArgument };
        command.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var people = services.GetRequiredService<PeopleService>();
            var person = await people.FindAsync(parse.GetValue(UserArgument)!, token);
            await act(people, person.Id, token);
            AnsiConsole.MarkupLine(Markup.Escape(text[doneKey, person.UserName!]));
        }, ct));
        return command;
    }

    private static Command Joining()
    {
        var command = new Command("joining", "A person's joining checklist: account, authenticator, agreement, training, department, clearance, approvals") { UserArgument };
        command.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var person = await services.GetRequiredService<PeopleService>().FindAsync(parse.GetValue(UserArgument)!, token);
            var view = await services.GetRequiredService<JoiningChecklist>().ForAsync(person.Id, token);
            var table = new Table().AddColumn(text["Joining.Title"]).AddColumn("").AddColumn("");
            foreach (var step in view.Steps)
            {
                var state = step.State switch { JoiningState.Done => "✓", JoiningState.Open => "○", _ => text["Joining.NotRequired"].Value };
                table.AddRow(Markup.Escape(text["Joining.Step." + step.Step]), Markup.Escape(state), Markup.Escape(step.Detail ?? ""));
            }

            Cli.Write(table);
            AnsiConsole.MarkupLine(Markup.Escape(text[view.Complete ? "Joining.Complete" : "Joining.Incomplete"]));
        }, ct));
        return command;
    }

    private static Command Appoint()
    {
        var role = new Option<string>("--role") { Description = "An approving role nobody holds (e.g. general-manager, compliance-officer)", Required = true };
        var command = new Command("appoint", "Give an approving role that nobody holds (a new installation's general manager and compliance officer), so that rights can be approved") { UserArgument, role };
        command.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var people = services.GetRequiredService<PeopleService>();
            var person = await people.FindAsync(parse.GetValue(UserArgument)!, token);
            await people.AppointAsync(person.Id, parse.GetValue(role)!, token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.Appointed", person.UserName!, text["Role." + parse.GetValue(role)]]));
        }, ct));
        return command;
    }

    private static Command SetPassword()
    {
        var command = new Command("set-password", "Set a person's password, read from standard input; ends their sessions") { UserArgument };
        command.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var people = services.GetRequiredService<PeopleService>();
            var person = await people.FindAsync(parse.GetValue(UserArgument)!, token);
            await people.SetPasswordAsync(person.Id, Cli.ReadSecretFromStdin(), token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.PasswordSet", person.UserName!]));
        }, ct));
        return command;
    }

    private static Command SetRoles()
    {
        var roles = Multi("--role", "The complete new set of roles");
        var reason = ReasonOption();
        var command = new Command("roles", "Replace a person's roles: roles taken away go at once, roles given are filed for approval") { UserArgument, roles, reason };
        command.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var people = services.GetRequiredService<PeopleService>();
            var person = await people.FindAsync(parse.GetValue(UserArgument)!, token);
            Report(text, await people.SetRolesAsync(person.Id, parse.GetValue(roles)!, token, parse.GetValue(reason)), text["Cli.RolesSet", person.UserName!]);
        }, ct));
        return command;
    }

    private static Command SetMembers()
    {
        var departments = Multi("--department", "The complete new set of department codes");
        var projects = Multi("--project", "The complete new set of project codes");
        var reason = ReasonOption();
        var command = new Command("members", "Replace a person's department and project memberships: those left go at once, those joined are filed for approval") { UserArgument, departments, projects, reason };
        command.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var people = services.GetRequiredService<PeopleService>();
            var person = await people.FindAsync(parse.GetValue(UserArgument)!, token);
            Report(text, await people.SetMembershipsAsync(person.Id, parse.GetValue(departments)!, parse.GetValue(projects)!, token, parse.GetValue(reason)), text["Cli.MembershipsSet", person.UserName!]);
        }, ct));
        return command;
    }
}
