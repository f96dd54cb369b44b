using System.ComponentModel.DataAnnotations;

namespace Cream.Api.Auth.Retention;

/// <summary>The <c>Sessions</c> configuration section: how long finished rows are kept, and how often they are deleted.</summary>
public sealed class SessionsOptions
{
    public const string SectionName = "Sessions";

    /// <summary>Ended or expired sessions (and their refresh tokens) are deleted this many days after they end.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>How often each instance deletes the rows that no longer serve anyone.</summary>
    [Range(1, 1440)]
    public int PruneIntervalMinutes { get; set; } = 60;
}
