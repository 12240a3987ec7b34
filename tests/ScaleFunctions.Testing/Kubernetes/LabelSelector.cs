using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// A <c>labelSelector</c> query parameter as the API server reads it (apimachinery's <c>labels.Parse</c>): requirements
/// joined by commas (AND) — <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>, <c>k</c>
/// (exists), <c>!k</c> (does not exist). Keys and values are checked as label keys and values; a selector that does not
/// parse is a 400 BadRequest with the parser's message (<c>found '=', expected: ',' or 'end of string'</c>).
/// <c>!=</c> and <c>notin</c> also match objects without the label, as in Kubernetes.
/// </summary>
public sealed partial class LabelSelector
{
    private const string NameMessage = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    private const string ValueMessage = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
    private readonly IReadOnlyList<Requirement> requirements;

    private LabelSelector(IReadOnlyList<Requirement> requirements) => this.requirements = requirements;

    /// <summary>The selector that matches everything (no parameter, or an empty one).</summary>
    public static LabelSelector Everything { get; } = new([]);

    /// <summary>Parses a selector; throws the API server's 400 when it does not parse.</summary>
    public static LabelSelector Parse(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return Everything;
        }

        try
        {
            return new LabelSelector(new Parser(Lex(selector)).Parse());
        }
        catch (FormatException ex)
        {
            throw KubernetesStatus.BadRequest(ex.Message);
        }
    }

    /// <summary>Whether an object's <c>metadata.labels</c> satisfy every requirement.</summary>
    public bool Matches(JsonObject obj)
    {
        var labels = obj["metadata"]?["labels"] as JsonObject;
        return requirements.All(r => r.Matches(labels?[r.Key] is JsonValue v ? (string?)v : null));
    }

    private static List<(Token Kind, string Text)> Lex(string input)
    {
        var tokens = new List<(Token, string)>();
        var i = 0;
        while (i < input.Length)
        {
            var c = input[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            string? special = c switch
            {
                '!' when At(input, i + 1) == '=' => "!=",
                '=' when At(input, i + 1) == '=' => "==",
                '!' or '=' or '(' or ')' or ',' or '>' or '<' => c.ToString(),
                _ => null,
            };
            if (special is not null)
            {
                tokens.Add((special switch
                {
                    "!=" => Token.NotEquals,
                    "==" => Token.DoubleEquals,
                    "!" => Token.DoesNotExist,
                    "=" => Token.Equals,
                    "(" => Token.Open,
                    ")" => Token.Close,
                    "," => Token.Comma,
                    ">" => Token.GreaterThan,
                    _ => Token.LessThan,
                }, special));
                i += special.Length;
                continue;
            }

            var start = i;
            while (i < input.Length && !char.IsWhiteSpace(input[i]) && "!=(),<>".IndexOf(input[i], StringComparison.Ordinal) < 0)
            {
                i++;
            }

            var word = input[start..i];
            tokens.Add((word switch { "in" => Token.In, "notin" => Token.NotIn, _ => Token.Identifier }, word));
        }

        tokens.Add((Token.End, ""));
        return tokens;
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static void ValidateKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? key : key[(slash + 1)..];
        var errors = new List<string>();
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length == 0)
            {
                errors.Add("prefix part must be non-empty");
            }
            else if (prefix.Length > 253 || !DnsSubdomain().IsMatch(prefix))
            {
                errors.Add("prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
            }
        }

        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else
        {
            if (name.Length > 63)
            {
                errors.Add("name part must be no more than 63 characters");
            }

            if (!LabelName().IsMatch(name))
            {
                errors.Add(NameMessage);
            }
        }

        if (errors.Count > 0)
        {
            throw new FormatException($"unable to parse requirement: key: Invalid value: \"{key}\": {string.Join("; ", errors)}");
        }
    }

    private static void ValidateValue(string key, string value)
    {
        var errors = new List<string>();
        if (value.Length > 63)
        {
            errors.Add("must be no more than 63 characters");
        }

        if (value.Length > 0 && !LabelName().IsMatch(value))
        {
            errors.Add(ValueMessage);
        }

        if (errors.Count > 0)
        {
            throw new FormatException($"unable to parse requirement: values[0][{key}]: Invalid value: \"{value}\": {string.Join("; ", errors)}");
        }
    }

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex LabelName();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    private enum Token
    {
        Identifier,
        In,
        NotIn,
        Equals,
        DoubleEquals,
        NotEquals,
        DoesNotExist,
        GreaterThan,
        LessThan,
        Open,
        Close,
        Comma,
        End,
    }

    private enum Operator
    {
        Equals,
        NotEquals,
        In,
        NotIn,
        Exists,
        DoesNotExist,
    }

    private sealed record Requirement(string Key, Operator Operator, IReadOnlyList<string> Values)
    {
        public bool Matches(string? value) => Operator switch
        {
            Operator.Exists => value is not null,
            Operator.DoesNotExist => value is null,
            Operator.Equals or Operator.In => value is not null && Values.Contains(value),
            _ => value is null || !Values.Contains(value),
        };
    }

    /// <summary>The grammar of apimachinery's selector parser, with its error messages.</summary>
    private sealed class Parser(List<(Token Kind, string Text)> tokens)
    {
        private int at;

        public List<Requirement> Parse()
        {
            var result = new List<Requirement>();
            while (true)
            {
                var (kind, text) = tokens[at];
                switch (kind)
                {
                    case Token.Identifier or Token.DoesNotExist:
                        result.Add(Requirement());
                        var (next, nextText) = tokens[at++];
                        if (next == Token.End)
                        {
                            return result;
                        }

                        if (next != Token.Comma)
                        {
                            throw new FormatException($"found '{nextText}', expected: ',' or 'end of string'");
                        }

                        if (tokens[at].Kind is not (Token.Identifier or Token.DoesNotExist))
                        {
                            throw new FormatException($"found '{tokens[at].Text}', expected: identifier after ','");
                        }

                        break;
                    case Token.End:
                        return result;
                    default:
                        throw new FormatException($"found '{text}', expected: !, identifier, or 'end of string'");
                }
            }
        }

        private Requirement Requirement()
        {
            var negated = false;
            if (tokens[at].Kind == Token.DoesNotExist)
            {
                negated = true;
                at++;
            }

            var (kind, key) = tokens[at++];
            if (kind != Token.Identifier)
            {
                throw new FormatException($"unable to parse requirement: found '{key}', expected: identifier");
            }

            ValidateKey(key);
            if (negated)
            {
                return new Requirement(key, Operator.DoesNotExist, []);
            }

            if (tokens[at].Kind is Token.End or Token.Comma)
            {
                return new Requirement(key, Operator.Exists, []);
            }

            var (op, opText) = tokens[at++];
            switch (op)
            {
                case Token.Equals or Token.DoubleEquals or Token.NotEquals:
                    var value = tokens[at].Kind == Token.Identifier ? tokens[at++].Text : "";
                    if (tokens[at].Kind is not (Token.End or Token.Comma) && value.Length == 0)
                    {
                        throw new FormatException($"unable to parse requirement: found '{tokens[at].Text}', expected: identifier");
                    }

                    ValidateValue(key, value);
                    return new Requirement(key, op == Token.NotEquals ? Operator.NotEquals : Operator.Equals, [value]);
                case Token.In or Token.NotIn:
                    return new Requirement(key, op == Token.In ? Operator.In : Operator.NotIn, Values(key));
                case Token.GreaterThan or Token.LessThan:
                    throw new FormatException($"unable to parse requirement: the double does not implement '{opText}' (numeric comparisons)");
                default:
                    throw new FormatException($"unable to parse requirement: found '{opText}', expected: in, notin, =, ==, !=, gt, lt");
            }
        }

        private List<string> Values(string key)
        {
            if (tokens[at].Kind != Token.Open)
            {
                throw new FormatException($"unable to parse requirement: found '{tokens[at].Text}', expected: '('");
            }

            at++;
            var values = new List<string>();
            while (true)
            {
                var (kind, text) = tokens[at];
                if (kind == Token.Identifier)
                {
                    ValidateValue(key, text);
                    values.Add(text);
                    at++;
                    kind = tokens[at].Kind;
                    text = tokens[at].Text;
                }
                else if (kind is Token.Comma or Token.Close)
                {
                    values.Add("");
                }

                switch (kind)
                {
                    case Token.Comma:
                        at++;
                        continue;
                    case Token.Close:
                        at++;
                        return values;
                    default:
                        throw new FormatException($"unable to parse requirement: found '{text}', expected: ',', ')' or identifier");
                }
            }
        }
    }
}
