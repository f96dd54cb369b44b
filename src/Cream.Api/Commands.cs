using Cream.Api.Auth.Keys;
using Cream.Api.Data;
using Cream.Api.Users;

namespace Cream.Api;

/// <summary>A command's failure that deserves one clear line, not a stack trace.</summary>
public sealed class CommandException(string message) : Exception(message);

/// <summary>
/// The commands of the same program (<c>migrate</c>, <c>create-admin</c>): they run with the
/// service's configuration and exit; no arguments means "serve HTTP".
/// </summary>
internal sealed record Commands(string Name, IReadOnlyDictionary<string, string> Options)
{
    private static readonly string[] Known = ["migrate", "create-admin", "rotate-key"];

    public static Commands? Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            return null;
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new CommandException($"{args[0]}: unexpected argument '{args[i]}'.");
            }

            options[args[i][2..]] = args[++i];
        }

        return Known.Contains(args[0])
            ? new Commands(args[0], options)
            : throw new CommandException($"Unknown command '{args[0]}': use one of {string.Join(", ", Known)}, or no argument to serve HTTP.");
    }

    public async Task<string> RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        switch (Name)
        {
            case "migrate":
                await services.MigrateDatabaseAsync(cancellationToken);
                return "Database migrated.";
            case "rotate-key":
                return await RotateKeyCommand.RunAsync(services, cancellationToken);
            default:
                return await CreateAdminCommand.RunAsync(services, Required("email"), Required("password"), cancellationToken);
        }
    }

    private string Required(string option) =>
        Options.TryGetValue(option, out var value) && value.Length > 0
            ? value
            : throw new CommandException($"{Name}: --{option} is required.");
}
