using System.Collections.Concurrent;

namespace Cream.Api.Auth;

/// <summary>
/// Any signed-up user can ask for admin endpoints as often as they like; each 403 is counted,
/// but only the first per user and minute becomes an audit row, so the trail cannot be flooded.
/// </summary>
internal sealed class AccessDeniedAuditThrottle(TimeProvider time)
{
    private const int MaxUsers = 10_000;

    private readonly ConcurrentDictionary<Guid, long> _lastMinute = new();

    public bool ShouldRecord(Guid userId)
    {
        var minute = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        if (_lastMinute.TryGetValue(userId, out var seen) && seen == minute)
        {
            return false;
        }

        if (_lastMinute.Count >= MaxUsers)
        {
            _lastMinute.Clear();
        }

        _lastMinute[userId] = minute;
        return true;
    }
}
