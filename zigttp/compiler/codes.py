"""Every diagnostic code zigttp reports: stable code, name, severity, message template, help, stage.

One table for the compiler (ZTS0xx), the verifier (ZTS1xx-4xx, ZTS6xx), the Spec
obligations (ZTS500-502) and the internal error (ZTS999). It lives in the compiler
package because the compiler must not import the verifier, while the verifier and
the contract code import the compiler; docs and tests enumerate it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: str
    message: str  # str.format template
    help: str | None
    category: str  # parse sound types verifier flow spec strict internal

    def text(self, **values: object) -> str:
        """The message with `values` filled in (the exact text a call site used to spell out)."""
        return self.message.format(**values)


_RULES: dict[str, Rule] = {}


def _rule(code: str, name: str, severity: str, message: str, help: str | None, category: str) -> Rule:
    rule = Rule(code, name, severity, message, help, category)
    _RULES[name] = rule
    return rule


# ------------------------------------------------------------- compiler
# Upstream `json_diagnostics.zig` ErrorKind order, plus this front end's own (000, 044).
# A code whose messages are the rejected constructs' (`Rejected`) or comptime's
# (`ComptimeFailure`), below, or that this front end never reports (upstream's numbering
# is kept whole), has the template "{text}" and is never rendered itself. Every other
# message is its template here, with named parameters.
_TEXT = "{text}"
# "expected <what> but found <the token met>": the parser names what it expected, the token is the one it met.
_FOUND = "expected {what} but found {found}"
UNSUPPORTED_FEATURE = _rule("ZTS001", "unsupported_feature", ERROR, _TEXT, None, "parse")
UNEXPECTED_TOKEN = _rule("ZTS002", "unexpected_token", ERROR, "unexpected token {found}", None, "parse")
EXPECTED_TYPE = _rule("ZTS002", "expected_type", ERROR, _FOUND, None, "parse")
EXPECTED_TOKEN = _rule("ZTS003", "expected_token", ERROR, _FOUND, None, "parse")
EXPECTED_AS = _rule("ZTS003", "expected_as_after_import", ERROR, "expected 'as' after {name!r}", None, "parse")
EXPECTED_EXPRESSION = _rule("ZTS004", "expected_expression", ERROR, _FOUND, None, "parse")
EXPECTED_STATEMENT = _rule("ZTS005", "expected_statement", ERROR, _TEXT, None, "parse")
EXPECTED_IDENTIFIER = _rule("ZTS006", "expected_identifier", ERROR, _FOUND, None, "parse")
UNEXPECTED_EOF = _rule("ZTS007", "unexpected_eof", ERROR, "unexpected end of file", None, "parse")
EXPECTED_BEFORE_EOF = _rule("ZTS007", "expected_before_eof", ERROR, "expected {what} but reached the end of the file",
                            None, "parse")
UNTERMINATED_STRING = _rule("ZTS008", "unterminated_string", ERROR, "unterminated string literal", None, "parse")
UNTERMINATED_TEMPLATE = _rule("ZTS009", "unterminated_template", ERROR, "unterminated template literal", None, "parse")
UNTERMINATED_REGEX = _rule("ZTS010", "unterminated_regex", ERROR, "unterminated regular expression literal", None,
                           "parse")
UNTERMINATED_COMMENT = _rule("ZTS011", "unterminated_comment", ERROR, "unterminated comment", None, "parse")
INVALID_NUMBER = _rule("ZTS012", "invalid_number", ERROR, "invalid number literal '{text}'", None, "parse")
LEGACY_OCTAL = _rule("ZTS012", "legacy_octal_literal", ERROR,
                     "legacy octal literals are not supported; use the '0o' prefix instead", None, "parse")
INVALID_ESCAPE = _rule("ZTS013", "invalid_escape", ERROR, _TEXT, None, "parse")
INVALID_UNICODE_ESCAPE = _rule("ZTS014", "invalid_unicode_escape", ERROR, _TEXT, None, "parse")
EXPECTED_PROPERTY_NAME = _rule("ZTS015", "expected_property_name", ERROR, _FOUND, None, "parse")
INVALID_ASSIGNMENT_TARGET = _rule("ZTS016", "invalid_assignment_target", ERROR, _TEXT, None, "parse")
INVALID_DESTRUCTURING = _rule("ZTS017", "invalid_destructuring", ERROR, _TEXT, None, "parse")
DUPLICATE_PARAMETER = _rule("ZTS018", "duplicate_parameter", ERROR, _TEXT, None, "parse")
DUPLICATE_BINDING = _rule("ZTS019", "duplicate_binding", ERROR, "duplicate declaration of '{name}'; rename one of them",
                          None, "parse")
CONST_WITHOUT_INITIALIZER = _rule("ZTS021", "const_without_initializer", ERROR, _TEXT, None, "parse")
INVALID_BREAK = _rule("ZTS022", "invalid_break", ERROR, _TEXT, None, "parse")
INVALID_CONTINUE = _rule("ZTS023", "invalid_continue", ERROR, _TEXT, None, "parse")
INVALID_RETURN = _rule("ZTS024", "invalid_return", ERROR, _TEXT, None, "parse")
INVALID_AWAIT = _rule("ZTS026", "invalid_await", ERROR, _TEXT, None, "parse")
TOO_MANY_PARAMETERS = _rule("ZTS028", "too_many_parameters", ERROR, _TEXT, None, "parse")
MISMATCHED_JSX_TAG = _rule("ZTS033", "mismatched_jsx_tag", ERROR,
                           "mismatched JSX closing tag; expected '</{name}>'", None, "parse")
INVALID_JSX_ATTRIBUTE = _rule("ZTS034", "invalid_jsx_attribute", ERROR, "invalid JSX attribute {found}", None, "parse")
INVALID_JSX_ATTRIBUTE_VALUE = _rule("ZTS034", "invalid_jsx_attribute_value", ERROR,
                                    "invalid JSX attribute value {found}", None, "parse")
EXPECTED_JSX_NAME = _rule("ZTS034", "expected_jsx_name", ERROR, _FOUND, None, "parse")
EXPECTED_JSX_SPREAD = _rule("ZTS034", "expected_jsx_spread", ERROR, "expected '...' in a JSX spread attribute", None,
                            "parse")
UNCLOSED_JSX_ELEMENT = _rule("ZTS035", "unclosed_jsx_element", ERROR, "unclosed JSX element '{label}'", None, "parse")
JSX_EXPRESSION_EXPECTED = _rule("ZTS036", "jsx_expression_expected", ERROR,
                                "JSX attribute value must not be an empty expression", None, "parse")
INVALID_IMPORT = _rule("ZTS037", "invalid_import", ERROR, "import of '{specifier}' is not allowed; use {allowed}", None,
                       "parse")
UNKNOWN_VIRTUAL_MODULE = _rule("ZTS037", "unknown_virtual_module", ERROR,
                               "unknown virtual module '{specifier}'; use {allowed}", None, "parse")
NO_SUCH_EXPORT = _rule("ZTS037", "no_such_export", ERROR, "'{specifier}' has no export '{name}'; {hint}", None, "parse")
IMPORT_NOT_FOUND = _rule("ZTS037", "import_not_found", ERROR,
                         "cannot resolve import '{specifier}': no such file; check the path, relative to the importing "
                         "file", None, "parse")
IMPORT_CYCLE = _rule("ZTS037", "import_cycle", ERROR,
                     "import cycle: {path}; move the shared code into a module that both import", None, "parse")
INVALID_EXPORT = _rule("ZTS038", "invalid_export", ERROR, _TEXT, None, "parse")
UNEXPECTED_CHARACTER = _rule("ZTS040", "unexpected_character", ERROR, "unexpected character {char!r}", None, "parse")
ANY_TYPE = _rule("ZTS041", "any_type", ERROR, _TEXT, None, "parse")
# ZTS041 twice: the upstream collision with ANY_TYPE, kept on purpose (the codes are upstream's).
NESTING_TOO_DEEP = _rule("ZTS041", "nesting_too_deep", ERROR, _TEXT, None, "parse")
AS_ASSERTION = _rule("ZTS042", "as_assertion", ERROR, _TEXT, None, "parse")
SATISFIES_ASSERTION = _rule("ZTS043", "satisfies_assertion", ERROR, _TEXT, None, "parse")
COMPTIME_ERROR = _rule("ZTS044", "comptime_error", ERROR, _TEXT, None, "parse")
CANNOT_READ_FILE = _rule("ZTS000", "cannot_read_file", ERROR, "cannot read file: {error}", None, "parse")


# ------------------------------------------------------------- rejected constructs
class Rejected:
    """The exact message of every construct the zigts subset rejects (upstream §3.2/§3.3), and the front
    end's structural messages: the parser reports them at the construct (the part after "; " is the
    suggested alternative). Byte-for-byte upstream's wording: conformance suites match it verbatim."""

    # Stripper rejections (type syntax).
    ANY = _rule(
        ANY_TYPE.code, "rejected_any", ERROR,
        "'any' type is not supported; use specific types (string, number, object) or union types instead",
        None, "parse")
    AS = _rule(
        AS_ASSERTION.code, "rejected_as", ERROR,
        "'as' type assertion is not supported; use type-safe patterns instead",
        None, "parse")
    SATISFIES = _rule(
        SATISFIES_ASSERTION.code, "rejected_satisfies", ERROR,
        "'satisfies' type assertion is not supported; use type-safe patterns instead",
        None, "parse")
    ANGLE_ASSERTION = _rule(
        AS_ASSERTION.code, "rejected_angle_assertion", ERROR,
        "angle-bracket type assertion '<T>expr' is not supported; use type-safe patterns instead",
        None, "parse")
    # Parser rejections.
    WHILE = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_while", ERROR,
        "'while' is not supported; use 'for-of' with a finite collection instead",
        None, "parse")
    DO_WHILE = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_do_while", ERROR,
        "'do-while' is not supported; use 'for-of' with a finite collection instead",
        None, "parse")
    C_FOR = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_c_for", ERROR,
        "C-style 'for' loops are not supported; use 'for (let x of array)' or 'for (let i of range(n))' instead",
        None, "parse")
    FOR_IN = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_for_in", ERROR,
        "'for-in' is not supported; use 'for-of' to iterate over values instead",
        None, "parse")
    THROW = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_throw", ERROR,
        "'throw' is not supported; use Result types for error handling",
        None, "parse")
    TRY = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_try", ERROR,
        "'try/catch' is not supported; use Result types for error handling",
        None, "parse")
    SWITCH = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_switch", ERROR,
        "'switch' is not supported; use 'match' expression instead",
        None, "parse")
    CLASS = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_class", ERROR,
        "'class' is not supported; use plain objects and functions instead",
        None, "parse")
    ENUM = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_enum", ERROR,
        "'enum' is not supported; use object literals or discriminated unions instead",
        None, "parse")
    CONST_ENUM = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_const_enum", ERROR,
        "'const enum' is not supported; use object literals or discriminated unions instead",
        None, "parse")
    IMPLEMENTS = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_implements", ERROR,
        "'implements' is not supported; use duck typing or runtime checks instead",
        None, "parse")
    ACCESS_MODIFIER = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_access_modifier", ERROR,
        "access modifiers are not supported; use naming conventions (e.g., _private) instead",
        None, "parse")
    DECORATOR = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_decorator", ERROR,
        "'@decorator' syntax is not supported; use function composition instead",
        None, "parse")
    NAMESPACE = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_namespace", ERROR,
        "'namespace' is not supported; use ES6 modules instead",
        None, "parse")
    VAR = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_var", ERROR,
        "'var' is not supported; use 'let' or 'const' instead",
        None, "parse")
    LABELED_BREAK = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_labeled_break", ERROR,
        "'labeled break' is not supported; use a conditional instead",
        None, "parse")
    LABELED_CONTINUE = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_labeled_continue", ERROR,
        "'labeled continue' is not supported; use a conditional instead",
        None, "parse")
    NULL = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_null", ERROR,
        "'null' is not supported; use 'undefined' for absent values instead",
        None, "parse")
    REGEX = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_regex", ERROR,
        "regular expressions are not supported; use string methods instead",
        None, "parse")
    THIS = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_this", ERROR,
        "'this' is not supported; pass context explicitly as a parameter",
        None, "parse")
    SUPER = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_super", ERROR,
        "'super' is not supported; use explicit function calls instead",
        None, "parse")
    NEW = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_new", ERROR,
        "'new' is not supported; use factory functions instead",
        None, "parse")
    FUNCTION_EXPRESSION = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_function_expression", ERROR,
        "function expressions are not supported; use arrow functions '(x) => x * 2' or function declarations "
        "'function name() {{ }}' instead",
        None, "parse")
    YIELD = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_yield", ERROR,
        "'yield' is not supported; generators are not available",
        None, "parse")
    DELETE = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_delete", ERROR,
        "'delete' is not supported; use object spread to omit properties",
        None, "parse")
    PRE_INCREMENT = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_pre_increment", ERROR,
        "'++x' is not supported; use 'x = x + 1' instead",
        None, "parse")
    PRE_DECREMENT = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_pre_decrement", ERROR,
        "'--x' is not supported; use 'x = x - 1' instead",
        None, "parse")
    POST_INCREMENT = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_post_increment", ERROR,
        "'x++' is not supported; use 'x = x + 1' instead",
        None, "parse")
    POST_DECREMENT = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_post_decrement", ERROR,
        "'x--' is not supported; use 'x = x - 1' instead",
        None, "parse")
    LOOSE_EQUALS = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_loose_equals", ERROR,
        "'==' is not supported; use '===' for strict equality instead",
        None, "parse")
    LOOSE_NOT_EQUALS = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_loose_not_equals", ERROR,
        "'!=' is not supported; use '!==' for strict inequality instead",
        None, "parse")
    INSTANCEOF = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_instanceof", ERROR,
        "'instanceof' is not supported; use discriminated unions with tag property instead",
        None, "parse")
    LOGICAL_ASSIGNMENT: ClassVar[dict[str, Rule]] = {
        "&&=": _rule(
            UNSUPPORTED_FEATURE.code, "rejected_logical_and_assignment", ERROR,
            "'&&=' is not supported; use 'x = x && value' instead",
            None, "parse"),
        "||=": _rule(
            UNSUPPORTED_FEATURE.code, "rejected_logical_or_assignment", ERROR,
            "'||=' is not supported; use 'x = x || value' instead",
            None, "parse"),
        "??=": _rule(
            UNSUPPORTED_FEATURE.code, "rejected_nullish_assignment", ERROR,
            "'??=' is not supported; use 'x = x ?? value' instead",
            None, "parse"),
    }
    OBJECT_MEMBERS: ClassVar[dict[str, Rule]] = {
        "assign": _rule(
            UNSUPPORTED_FEATURE.code, "rejected_object_assign", ERROR,
            "'Object.assign' is not supported; use object spread {{...obj1, ...obj2}} instead",
            None, "parse"),
        "freeze": _rule(
            UNSUPPORTED_FEATURE.code, "rejected_object_freeze", ERROR,
            "'Object.freeze' is not supported; objects are mutable by design",
            None, "parse"),
        "isFrozen": _rule(
            UNSUPPORTED_FEATURE.code, "rejected_object_is_frozen", ERROR,
            "'Object.isFrozen' is not supported; objects are mutable by design",
            None, "parse"),
    }
    FORBIDDEN_IDENTIFIERS: ClassVar[dict[str, Rule]] = {
        "Promise": _rule(
            UNSUPPORTED_FEATURE.code, "rejected_promise", ERROR,
            "'Promise' is not supported; use Result types or callbacks instead",
            None, "parse"),
        "RegExp": _rule(
            UNSUPPORTED_FEATURE.code, "rejected_regexp_global", ERROR,
            "'RegExp' is not supported; use string methods instead",
            None, "parse"),
    }
    ASYNC = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_async", ERROR,
        "'async' functions are not supported; handlers run synchronously - use 'fetchSync', or 'parallel'/'race' "
        "from zigttp:io for concurrency",
        None, "parse")
    AWAIT = _rule(
        INVALID_AWAIT.code, "rejected_await", ERROR,
        "'await' is not supported; handlers run synchronously - use 'fetchSync', or 'parallel'/'race' from "
        "zigttp:io for concurrency",
        None, "parse")
    OBJECT_REST = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_object_rest", ERROR,
        "rest element in object destructuring is not supported; bind the remaining properties explicitly instead",
        None, "parse")
    ARRAY_REST = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_array_rest", ERROR,
        "rest element in array destructuring is not supported; index the remaining elements explicitly instead",
        None, "parse")
    REST_PARAMETER = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_rest_parameter", ERROR,
        "rest parameters ('...args') are not supported; accept an explicit array parameter instead",
        None, "parse")
    DESTRUCTURED_PARAMETER = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_destructured_parameter", ERROR,
        "destructured parameters are not supported; destructure inside the body instead",
        None, "parse")
    ARRAY_ELISION = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_array_elision", ERROR,
        "array elisions are not supported; use explicit undefined values instead",
        None, "parse")
    UNARY_BEFORE_EXPONENT = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_unary_before_exponent", ERROR,
        "unary operator before '**' requires parentheses: (-3)**2 or -(3**2)",
        None, "parse")
    DEFAULT_IMPORT = _rule(
        UNEXPECTED_TOKEN.code, "rejected_default_import", ERROR,
        '\'import X from\' default imports are not supported; use named imports: import {{ x }} from "module"',
        None, "parse")
    NAMESPACE_IMPORT = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_namespace_import", ERROR,
        '\'import * as X\' namespace imports are not supported; use named imports: import {{ x }} from "module"',
        None, "parse")
    SIDE_EFFECT_IMPORT = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_side_effect_import", ERROR,
        '\'import "module"\' side-effect imports are not supported; use named imports: import {{ x }} from "module"',
        None, "parse")
    RE_EXPORT = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_re_export", ERROR,
        "'export {{ }}' re-exports are not supported; use named exports: export function handler() {{}}",
        None, "parse")
    EXPORT_STAR = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_export_star", ERROR,
        "'export *' is not supported; use named exports: export function handler() {{}}",
        None, "parse")
    EXPORT_DEFAULT_NAMED = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_export_default_named", ERROR,
        "'export default' must be followed by a named function",
        None, "parse")
    EXPORT_OTHER = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_export_other", ERROR,
        "'export' must be followed by 'function', 'const', or 'let'",
        None, "parse")
    DUPLICATE_IMPORT = _rule(
        DUPLICATE_BINDING.code, "rejected_duplicate_import", ERROR,
        "duplicate import binding",
        None, "parse")
    # Front-end additions (constructs the engine cannot run; not in the upstream table).
    BIGINT = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_bigint", ERROR,
        "BigInt literals are not supported; use numbers instead",
        None, "parse")
    DYNAMIC_IMPORT = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_dynamic_import", ERROR,
        'dynamic \'import()\' is not supported; use named imports: import {{ x }} from "module"',
        None, "parse")
    WITH = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_with", ERROR,
        "'with' is not supported; access properties explicitly instead",
        None, "parse")
    GENERATOR = YIELD
    # Structural errors.
    RETURN_OUTSIDE = _rule(
        INVALID_RETURN.code, "rejected_return_outside", ERROR,
        "'return' outside of function",
        None, "parse")
    BREAK_OUTSIDE = _rule(
        INVALID_BREAK.code, "rejected_break_outside", ERROR,
        "'break' outside of loop",
        None, "parse")
    CONTINUE_OUTSIDE = _rule(
        INVALID_CONTINUE.code, "rejected_continue_outside", ERROR,
        "'continue' outside of loop",
        None, "parse")
    MATCH_NO_ARMS = _rule(
        UNEXPECTED_TOKEN.code, "rejected_match_no_arms", ERROR,
        "match expression must have at least one arm",
        None, "parse")
    MATCH_EXPECTED_ARM = _rule(
        EXPECTED_TOKEN.code, "rejected_match_expected_arm", ERROR,
        "expected 'when' or 'default'",
        None, "parse")
    MATCH_EXPECTED_PATTERN = _rule(
        EXPECTED_EXPRESSION.code, "rejected_match_expected_pattern", ERROR,
        "expected pattern (literal, object, array, or '_' wildcard)",
        None, "parse")
    MATCH_TOO_MANY_ARMS = _rule(
        UNEXPECTED_TOKEN.code, "rejected_match_too_many_arms", ERROR,
        "too many match arms; limit is 255",
        None, "parse")
    MATCH_TOO_MANY_PROPERTIES = _rule(
        UNEXPECTED_TOKEN.code, "rejected_match_too_many_properties", ERROR,
        "too many match-pattern properties; limit is 255",
        None, "parse")
    PIPE_NO_ARGUMENTS = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_pipe_no_arguments", ERROR,
        "pipe() requires at least one function argument",
        None, "parse")
    GUARD_NO_HANDLER = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_guard_no_handler", ERROR,
        "guard composition requires a handler function",
        None, "parse")
    GUARD_TWO_HANDLERS = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_guard_two_handlers", ERROR,
        "guard composition allows exactly one handler",
        None, "parse")
    GUARD_ARITY = _rule(
        UNSUPPORTED_FEATURE.code, "rejected_guard_arity", ERROR,
        "guard() takes exactly one function argument",
        None, "parse")
    COMPTIME_ARITY = _rule(
        COMPTIME_ERROR.code, "rejected_comptime_arity", ERROR,
        "comptime() takes exactly one expression",
        None, "parse")
    STATEMENT_NESTING = _rule(
        NESTING_TOO_DEEP.code, "rejected_statement_nesting", ERROR,
        "statements nest too deeply; simplify or split (nesting limit is 512)",
        None, "parse")
    EXPRESSION_NESTING = _rule(
        NESTING_TOO_DEEP.code, "rejected_expression_nesting", ERROR,
        "expression nests too deeply; simplify or split it (nesting limit is 512)",
        None, "parse")
    CONST_WITHOUT_INIT = _rule(
        CONST_WITHOUT_INITIALIZER.code, "rejected_const_without_init", ERROR,
        "const declarations must have an initializer",
        None, "parse")
    TOO_MANY_PARAMETERS = _rule(
        TOO_MANY_PARAMETERS.code, "rejected_too_many_parameters", ERROR,
        "too many parameters",
        None, "parse")
    MISMATCHED_JSX = _rule(
        MISMATCHED_JSX_TAG.code, "rejected_mismatched_jsx", ERROR,
        "mismatched JSX closing tag",
        None, "parse")
    ASSERT_VALUE_OUTSIDE = _rule(
        INVALID_RETURN.code, "rejected_assert_value_outside", ERROR,
        "'assert cond, value' returns from the enclosing function; use it inside a function",
        None, "parse")
    TYPES_IN_JS = _rule(
        UNEXPECTED_TOKEN.code, "rejected_types_in_js", ERROR,
        "type syntax is only allowed in .ts and .tsx files; remove it or rename the file to .ts",
        None, "parse")
    JSX_IN_NON_JSX = _rule(
        UNEXPECTED_TOKEN.code, "rejected_jsx_in_non_jsx", ERROR,
        "JSX is only allowed in .jsx and .tsx files; rename the file to .tsx",
        None, "parse")
    IMPORT_NOT_TOP_LEVEL = _rule(
        INVALID_IMPORT.code, "rejected_import_not_top_level", ERROR,
        "import declarations may only appear at the top level of a module",
        None, "parse")
    EXPORT_NOT_TOP_LEVEL = _rule(
        INVALID_EXPORT.code, "rejected_export_not_top_level", ERROR,
        "export declarations may only appear at the top level of a module",
        None, "parse")
    RESERVED_WORD = _rule(EXPECTED_IDENTIFIER.code, "rejected_reserved_word", ERROR,
                          "'{name}' is a reserved word and cannot be used as a name", None, "parse")
    GENERATED_NAME = _rule(
        EXPECTED_IDENTIFIER.code, "rejected_generated_name", ERROR,
        "'{name}': names starting with '{prefix}' are reserved for the compiler; rename it", None, "parse")
    INVALID_ASSIGNMENT = _rule(
        INVALID_ASSIGNMENT_TARGET.code, "rejected_invalid_assignment", ERROR,
        "invalid assignment target",
        None, "parse")


# ------------------------------------------------------------- comptime
class ComptimeFailure:
    """Why `comptime(expr)` could not be folded (ZTS044), reported at the part of the expression at fault."""

    NESTING = _rule(COMPTIME_ERROR.code, "comptime_nesting", ERROR,
                    "comptime expression nests too deeply; the limit is 64", None, "parse")
    ARRAY_SPREAD = _rule(COMPTIME_ERROR.code, "comptime_array_spread", ERROR,
                         "comptime can only spread arrays into arrays", None, "parse")
    NOT_CONSTANT = _rule(
        COMPTIME_ERROR.code, "comptime_not_constant", ERROR,
        "comptime expression is not a compile-time constant; use literals, operators, Math, "
        "string methods, parseInt/parseFloat/JSON.parse or hash()", None, "parse")
    UNKNOWN_VARIABLE = _rule(
        COMPTIME_ERROR.code, "comptime_unknown_variable", ERROR,
        "comptime cannot read variable '{name}'; only literals and whitelisted builtins are available at compile time",
        None, "parse")
    SHORTHAND_VARIABLE = _rule(COMPTIME_ERROR.code, "comptime_shorthand_variable", ERROR,
                               "comptime cannot read variable '{name}'", None, "parse")
    OPERATOR = _rule(COMPTIME_ERROR.code, "comptime_operator", ERROR,
                     "operator '{operator}' is not supported in comptime", None, "parse")
    IN_NEEDS_OBJECT = _rule(COMPTIME_ERROR.code, "comptime_in_needs_object", ERROR,
                            "'in' needs an object on the right in comptime", None, "parse")
    OBJECT_SPREAD = _rule(COMPTIME_ERROR.code, "comptime_object_spread", ERROR,
                          "comptime can only spread objects into objects", None, "parse")
    ACCESSOR = _rule(COMPTIME_ERROR.code, "comptime_accessor", ERROR,
                     "methods and accessors are not compile-time constants", None, "parse")
    NOT_DETERMINISTIC = _rule(COMPTIME_ERROR.code, "comptime_not_deterministic", ERROR,
                              "'{name}' is not deterministic and cannot be used in comptime", None, "parse")
    PROPERTY = _rule(COMPTIME_ERROR.code, "comptime_property", ERROR,
                     "cannot read property '{key}' of {target} at compile time", None, "parse")
    JSON_PARSE = _rule(COMPTIME_ERROR.code, "comptime_json_parse", ERROR,
                       "JSON.parse failed at compile time: {error}", None, "parse")
    NOT_CALLABLE = _rule(
        COMPTIME_ERROR.code, "comptime_not_callable", ERROR,
        "'{name}' cannot be called at compile time; comptime allows Math, string methods, "
        "parseInt/parseFloat/JSON.parse and hash()", None, "parse")
    METHOD = _rule(COMPTIME_ERROR.code, "comptime_method", ERROR,
                   "method '{name}' is not available at compile time", None, "parse")
    REPEAT_RANGE = _rule(COMPTIME_ERROR.code, "comptime_repeat_range", ERROR,
                         "repeat count is out of range at compile time", None, "parse")
    PAD_RANGE = _rule(COMPTIME_ERROR.code, "comptime_pad_range", ERROR,
                      "pad width is out of range at compile time", None, "parse")
    TOO_LARGE = _rule(COMPTIME_ERROR.code, "comptime_too_large", ERROR,
                      "comptime result is larger than 8 KB; compute it at run time instead", None, "parse")

# ------------------------------------------------------------- internal
INTERNAL = _rule("ZTS999", "internal_error", ERROR, "internal compiler error: {detail}",
                 "this is a bug in the zigttp verifier; please report it with the handler", "internal")

# ------------------------------------------------------------- Spec obligations
# The part after "; " is the suggestion a contract's proof entry records as well.
SPEC_NOT_DISCHARGED = _rule("ZTS500", "spec_not_discharged", ERROR,
                            "Spec property '{name}' is not proven; {suggestion}", None, "spec")
SPEC_NOT_DISCHARGED_BECAUSE = _rule("ZTS500", "spec_not_discharged_because", ERROR,
                                    "Spec property '{name}' is not proven ({cause}); {suggestion}", None, "spec")
SPEC_INCOMPATIBLE = _rule(
    "ZTS501", "spec_incompatible_with_import", ERROR,
    "Spec property '{name}' is incompatible with importing {module}; "
    "drop `{name}` from your Spec set, or remove the {module} import from this handler.", None, "spec")
SPEC_UNKNOWN_NAME = _rule("ZTS502", "spec_unknown_name", ERROR,
                          "unknown Spec property '{name}'; did you mean `{guess}`?", None, "spec")
SPEC_UNKNOWN_NAME_LISTED = _rule("ZTS502", "spec_unknown_name_listed", ERROR,
                                 "unknown Spec property '{name}'; known properties: {known}", None, "spec")

# ------------------------------------------------------------- sound mode
CONDITION_NOT_BOOLEAN = _rule(
    "ZTS100", "condition_not_boolean", ERROR, "always-truthy value ({kind}) in '{where}' condition",
    "test what you mean: `x !== undefined`, `items.length > 0`, or a boolean property", "sound")
CONDITION_ALWAYS_FALSE = _rule(
    "ZTS100", "condition_always_false", WARNING, "condition is always false (undefined)",
    "remove the dead branch, or test the value you meant", "sound")
LOGICAL_NOT_BOOLEAN = _rule(
    "ZTS101", "logical_operand_not_boolean", ERROR, "always-truthy value ({kind}) as operand of '{op}'",
    "an object or function is never falsy; compare it explicitly or use '??' for defaults", "sound")
NOT_NOT_BOOLEAN = _rule(
    "ZTS102", "not_operand_not_boolean", ERROR, "always-truthy value ({kind}) as operand of '!'",
    "'!' of an object or function is always false; test `x === undefined` instead", "sound")
NULLISH_NON_NULLABLE = _rule(
    "ZTS103", "nullish_on_non_nullable", WARNING, "left side of '??' is never undefined (type '{type}')",
    "remove '?? ...': the fallback can never be used", "sound")
ARITHMETIC_NON_NUMERIC = _rule(
    "ZTS104", "arithmetic_on_non_numeric", ERROR, "'{type}' operand in '{op}' operator",
    "arithmetic requires numbers; convert explicitly with Number(x) or parseInt(x, 10)", "sound")
MIXED_ADD = _rule(
    "ZTS105", "mixed_type_add", ERROR, "implicit type coercion in '+': number and string operands",
    "use a template literal `${{a}}${{b}}` or convert with String(x) / Number(x)", "sound")
ADD_NON_ADDABLE = _rule(
    "ZTS106", "add_on_non_addable", ERROR, "'{type}' operand in '+' operator",
    "'+' takes two numbers or two strings; use a template literal or convert explicitly", "sound")
TAUTOLOGICAL = _rule(
    "ZTS107", "tautological_comparison", WARNING, "comparison is always {outcome}: {why}",
    "remove the comparison, or compare the value you meant", "sound")

# ---------------------------------------------------------- type checker
TYPE_MISMATCH = _rule(
    "ZTS200", "type_mismatch", ERROR, "type '{got}' is not assignable to type '{expected}'", None, "types")
NOT_CALLABLE = _rule(
    "ZTS200", "not_callable", ERROR, "value of type '{got}' is not callable", None, "types")
READONLY_ASSIGN = _rule(
    "ZTS200", "readonly_assignment", ERROR, "cannot assign to readonly property '{name}'",
    "build a new object with spread instead: `{{ ...obj, {name}: value }}`", "types")
CONST_ASSIGN = _rule(
    "ZTS200", "const_assignment", ERROR, "cannot assign to '{name}' because it is a constant",
    "declare it with 'let' if it must change", "types")
MISSING_FIELD = _rule(
    "ZTS201", "missing_field", ERROR, "property '{name}' does not exist on type '{type}'", None, "types")
UNION_MEMBER = _rule(
    "ZTS201", "union_member_not_narrowed", ERROR,
    "property '{name}' does not exist on every member of type '{type}'",
    "narrow the union before using '{name}', e.g. `if (x.{tag} === ...)`", "types")
MISSING_PROPERTIES = _rule(
    "ZTS201", "missing_properties", ERROR, "object is missing required {what} for type '{type}'", None, "types")
EXCESS_PROPERTY = _rule(
    "ZTS201", "excess_property", ERROR, "property '{name}' does not exist in type '{type}'",
    "check the spelling, or add the property to the type", "types")
ARG_COUNT = _rule(
    "ZTS202", "arg_count_mismatch", ERROR, "{callee} expects {expected} argument{s}, got {got}", None, "types")
ARG_TYPE = _rule(
    "ZTS203", "arg_type_mismatch", ERROR,
    "argument of type '{got}' is not assignable to parameter '{param}' of type '{expected}'", None, "types")
RETURN_TYPE = _rule(
    "ZTS204", "return_type_mismatch", ERROR,
    "return type does not match declared return type: '{got}' is not assignable to '{expected}'", None, "types")
MISSING_RETURN_VALUE = _rule(
    "ZTS204", "missing_return_value", ERROR, "not all code paths return a value of type '{expected}'",
    "end every branch with a return statement", "types")
IMPOSSIBLE_ARM = _rule(
    "ZTS205", "impossible_match_arm", ERROR, "match arm can never match: {why}",
    "remove the arm, or fix the pattern to a value the subject can take", "types")

# -------------------------------------------------------- handler verifier
MISSING_RETURN = _rule(
    "ZTS302", "missing_return_path", ERROR, "not all code paths return a Response",
    "ensure every branch (if/else, match/default) ends with a return statement", "verifier")
UNCHECKED_RESULT = _rule(
    "ZTS303", "unchecked_result_value", ERROR, "result.{what} accessed without checking result.ok first",
    "check result.ok before accessing result.value: `if (result.ok) {{ ... result.value ... }}`", "verifier")
UNREACHABLE = _rule(
    "ZTS304", "unreachable_code", WARNING, "unreachable code after {what} statement",
    "remove the unreachable code, or restructure the control flow", "verifier")
UNUSED_VARIABLE = _rule(
    "ZTS305", "unused_variable", WARNING, "declared variable '{name}' is never used",
    "remove the unused variable, or prefix with '_' to suppress this warning", "verifier")
NON_EXHAUSTIVE_MATCH = _rule(
    "ZTS307", "non_exhaustive_match", ERROR, "match expression must be exhaustive",
    "add 'default:' (or 'when _:'){missing}", "verifier")
UNCHECKED_OPTIONAL_USE = _rule(
    "ZTS308", "unchecked_optional_use", ERROR, "optional value used without checking for undefined",
    "check before use: `if (val !== undefined) {{ ... }}`, or provide a default: `val ?? fallback`", "verifier")
UNCHECKED_OPTIONAL_ACCESS = _rule(
    "ZTS309", "unchecked_optional_access", ERROR, "property access on optional value without checking for undefined",
    "check before access: `if (val !== undefined) {{ ... val.{name} ... }}`, or use optional chaining: "
    "`val?.{name}`", "verifier")
MODULE_SCOPE_MUTATION = _rule(
    "ZTS310", "module_scope_mutation", ERROR,
    "handler mutates module-scope variable '{name}' (breaks cross-request isolation)",
    "use const for module-scope declarations and build new values per request, or move state to zigttp:cache",
    "verifier")
FRAMING_HEADER = _rule(
    "ZTS311", "response_framing_header", WARNING,
    "response header '{name}' is owned by the server: the value set here is dropped",
    "remove it: the server frames every response itself (content-length, transfer-encoding, connection, "
    "keep-alive, upgrade, te, trailer and proxy-* headers)", "verifier")
UNDEFINED_NAME = _rule(
    "ZTS312", "undefined_name", ERROR, "'{name}' is not defined", "{hint}", "verifier")

SQL_STATEMENT = _rule(
    "ZTS330", "sql_statement_invalid", ERROR, "sql statement '{name}' does not prepare against the schema: {error}",
    "check the table and column names against the --sql-schema file", "verifier")
SCHEMA_PATTERN = _rule(
    "ZTS331", "schema_pattern_refused", ERROR, "{call}: pattern at {where} {reason}", "{advice}", "verifier")

# ------------------------------------------------------------ flow checker
SECRET_IN_RESPONSE = _rule(
    "ZTS400", "secret_in_response", ERROR, "secret data flows into response {part}",
    "never send secrets to clients; send a derived, non-secret value instead", "flow")
CREDENTIAL_IN_RESPONSE = _rule(
    "ZTS401", "credential_in_response", WARNING, "credential data flows into response {part}",
    "avoid echoing tokens or cookies back; return an opaque identifier instead", "flow")
SECRET_IN_LOG = _rule(
    "ZTS402", "secret_in_log", ERROR, "secret data flows into {sink} output",
    "log a fixed message or a masked value (zigttp:text mask) instead", "flow")
CREDENTIAL_IN_LOG = _rule(
    "ZTS403", "credential_in_log", ERROR, "credential data flows into {sink} output",
    "do not log tokens or cookies; log an opaque identifier instead", "flow")
SECRET_IN_EGRESS_URL = _rule(
    "ZTS404", "secret_in_egress_url", ERROR, "secret data flows into {sink} {part}",
    "send secrets only in an Authorization header of a trusted host, never in a URL", "flow")
CREDENTIAL_IN_EGRESS_URL = _rule(
    "ZTS405", "credential_in_egress_url", WARNING, "credential data flows into {sink} {part}",
    "do not forward client credentials to other hosts", "flow")
SECRET_IN_EGRESS_BODY = _rule(
    "ZTS406", "secret_in_egress_body", ERROR, "secret data flows into {sink} request body",
    "do not send secrets in request bodies", "flow")
UNVALIDATED_EGRESS = _rule(
    "ZTS407", "unvalidated_input_in_egress", WARNING, "unvalidated user input flows into {sink} {part}",
    "validate it first (zigttp:validate / zigttp:decode), or escape it (zigttp:text escapeHtml)", "flow")
UNVALIDATED_HTML = _rule(
    "ZTS407", "unvalidated_input_in_html", WARNING, "unvalidated user input in Response.html (potential XSS)",
    "escape it with escapeHtml from zigttp:text, or render it through JSX", "flow")

# ----------------------------------------------------- strict / canonical
IMPLICIT_UNKNOWN = _rule(
    "ZTS600", "implicit_unknown", ERROR, "call result has implicit unknown type",
    "annotate the binding (`const x: T = ...`) or narrow the value before use", "strict")
MISSING_ANNOTATION = _rule(
    "ZTS601", "missing_public_annotation", ERROR,
    "strict ZigTS requires explicit function parameter and return types",
    "annotate every parameter and the return type, e.g. `function handler(req: Request): Response`", "strict")
DYNAMIC_CAPABILITY = _rule(
    "ZTS602", "dynamic_capability_access", ERROR, "capability access must use a compiler-visible literal",
    "pass a string literal (or a const bound to one) as the {what}", "strict")
AVOIDABLE_LET = _rule(
    "ZTS604", "avoidable_let", ERROR, "{what} is never reassigned", "use 'const' instead of 'let'", "strict")
COMPUTED_ACCESS = _rule(
    "ZTS605", "computed_property_access", ERROR, "dynamic computed {what} is not part of strict ZigTS",
    "use a literal key or a const alias", "strict")
ARROW_HELPER = _rule(
    "ZTS608", "canonical_arrow_helper", ERROR, "reused arrow helper should be a named function",
    "declare it with `function {name}(...) {{ ... }}`", "strict")
EXPORT_FUNCTION_CONST = _rule(
    "ZTS609", "canonical_export_function_const", ERROR,
    "exported function-valued const should be an export function declaration",
    "write `export function {name}(...) {{ ... }}`", "strict")
TERNARY = _rule(
    "ZTS612", "canonical_ternary", ERROR, "ternary expression is not part of canonical ZigTS",
    "use if/else or a match expression", "strict")
COMPOUND_ASSIGNMENT = _rule(
    "ZTS613", "canonical_compound_assignment", ERROR, "compound assignment is not part of canonical ZigTS",
    "write `x = x {op} value`", "strict")
NON_LEADING_SPREAD = _rule(
    "ZTS614", "canonical_non_leading_spread", ERROR, "object spread must appear before any explicit keys",
    "write `{{ ...base, key: value }}`", "strict")
TEMPLATE_COMPLEX = _rule(
    "ZTS615", "canonical_template_complex_interp", ERROR,
    "template interpolation must be an identifier or a literal-keyed property access",
    "hoist the expression into a const first", "strict")
CALL_SPREAD = _rule(
    "ZTS616", "canonical_call_spread", ERROR, "spread arguments are not part of canonical ZigTS",
    "pass the arguments positionally", "strict")
DEFAULT_PARAMETER = _rule(
    "ZTS617", "canonical_default_parameter", ERROR, "default parameter values are not part of canonical ZigTS",
    "type the parameter `T | undefined` and apply the default in the body with '??'", "strict")
DESTRUCTURE_DEPTH = _rule(
    "ZTS618", "canonical_destructure_depth", ERROR, "destructuring patterns must be at most one level deep",
    "destructure the nested value in a follow-up const", "strict")
UNUSED_INDEX_ALIAS = _rule(
    "ZTS619", "canonical_unused_index_alias", ERROR, "for-of binds an index alias that is never read",
    "iterate the array directly: `for (const x of items)`", "strict")
REDUNDANT_BOOL_COMPARE = _rule(
    "ZTS620", "canonical_redundant_bool_compare", ERROR,
    "comparing a boolean against a boolean literal is not canonical ZigTS", "use `x` or `!x`", "strict")


def all_rules() -> list[Rule]:
    return list(_RULES.values())


def category_of(code: str) -> str | None:
    """The stage a code belongs to (every rule sharing a code shares its stage), None for a foreign code."""
    return _CATEGORY.get(code)


def codes_in(*categories: str) -> frozenset[str]:
    """The codes of the given stages (e.g. "strict" for the canonical profile's ZTS6xx)."""
    return frozenset(rule.code for rule in _RULES.values() if rule.category in categories)


_CATEGORY = {rule.code: rule.category for rule in reversed(list(_RULES.values()))}
