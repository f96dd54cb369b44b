using Cream.Api.Admin;
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
    private static readonly string[] HelpArguments = ["--help", "-h", "-?", "help"];

    /// <summary>Options that take no value.</summary>
    private static readonly string[] Flags = ["promote"];

    /// <summary>What <c>--help</c> prints: every command and what it needs.</summary>
    public const string Usage = """
        Usage: Cream.Api [command] [options]

        With no command, serves HTTP on ASPNETCORE_URLS (configuration from appsettings.json
        beside the program and from environment variables such as ConnectionStrings__Cream,
        Redis__Configuration and Jwt__Secret; see README.md).

        Commands (each uses the same configuration, runs once and exits: 0 on success):
          migrate
              Apply the database migrations of ConnectionStrings__Cream (PostgreSQL needs this
              before the first start; the embedded SQLite file is migrated at every start).
          create-admin --email E --password P [--promote]
              Create the user E with password P (8 to 128 characters), verified, with the
              admin role. If E already has an account (anyone may have signed up with it),
              refuse, unless --promote: then that account gets the role, its password
              becomes P and every session and token it has is ended.
          rotate-key
              Add a new signing key to the database (Jwt__Algorithm RS256 or ES256 without
              Jwt__PrivateKeyPath). Running instances publish it at once when Redis is
              configured (else at their next resync), sign with it after two resyncs
              (2 x Revocation__ResyncSeconds), and keep the previous keys for verification
              until their last tokens have expired. The first key of an empty database signs
              at once.
          --help, -h
              Print this help.
        """;

    /// <summary>True when the arguments ask for the usage.</summary>
    public static bool IsHelp(string[] args) =>
        args.Length > 0 && HelpArguments.Contains(args[0], StringComparer.OrdinalIgnoreCase);

    /// <summary>The command to run, or null to serve HTTP (arguments that start with '-' are configuration, e.g. <c>--urls</c>).</summary>
    public static Commands? Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            return null;
        }

        if (!Known.Contains(args[0]))
        {
            throw new CommandException($"Unknown command '{args[0]}': use one of {string.Join(", ", Known)}, or no argument to serve HTTP.");
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && Flags.Contains(args[i][2..]))
            {
                options[args[i][2..]] = "true";
                continue;
            }

            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new CommandException($"{args[0]}: unexpected argument '{args[i]}'.");
            }

            options[args[i][2..]] = args[++i];
        }

        return new Commands(args[0], options);
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
                return await CreateAdminCommand.RunAsync(
                    services, Required("email"), Required("password"), promote: Options.ContainsKey("promote"), cancellationToken);
        }
    }

    private string Required(string option) =>
        Options.TryGetValue(option, out var value) && value.Length > 0
            ? value
            : throw new CommandException($"{Name}: --{option} is required.");
}
