function __msvc_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __msvc_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __msvc_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __msvc_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __msvc_parse_tokens -S
    set -l unparsed_tokens (__msvc_tokens -pc)
    switch $unparsed_tokens[1]
    case 'msvc'
        __msvc_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'init'
            __msvc_parse_subcommand 0 'f/file=' 'no-color' 'q/quiet' 'v/verbose' 'name=' 'force' 'version' 'h/help'
        case 'validate'
            __msvc_parse_subcommand 0 'f/file=' 'no-color' 'q/quiet' 'v/verbose' 'json' 'version' 'h/help'
        case 'config'
            __msvc_parse_subcommand 0 'f/file=' 'no-color' 'q/quiet' 'v/verbose' 'json' 'version' 'h/help'
        case 'graph'
            __msvc_parse_subcommand 0 'f/file=' 'no-color' 'q/quiet' 'v/verbose' 'format=' 'json' 'version' 'h/help'
        case 'completions'
            __msvc_parse_subcommand 1 'version' 'h/help'
        case 'help'
            __msvc_parse_subcommand -r 1 'version'
        end
    end
end

function __msvc_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __msvc_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __msvc_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __msvc_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__msvc_tokens -p)
    if test -z "$(__msvc_tokens -t)"
        set -l index (count (__msvc_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'msvc' -f
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'init' -d 'Write a commented msvc.yaml here and add .msvc/ to .gitignore.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'validate' -d 'Load and check msvc.yaml; print every problem as FILE:LINE:COL: error: PATH: message.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'config' -d 'Print the resolved configuration (defaults applied, variables interpolated).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'graph' -d 'Print the dependency graph.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'completions' -d 'Print a shell completion script (also committed under completions/).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" f file' -s 'f' -l 'file' -d 'The msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" name' -l 'name' -d 'Project name (default: this folder\'s name).' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" force' -l 'force' -d 'Overwrite an existing msvc.yaml.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc validate" f file' -s 'f' -l 'file' -d 'The msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc validate" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc validate" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc validate" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc validate" json' -l 'json' -d 'Print one JSON document.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc validate" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc validate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc config" f file' -s 'f' -l 'file' -d 'The msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc config" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc config" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc config" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc config" json' -l 'json' -d 'Print JSON instead of YAML.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc config" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc config" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" f file' -s 'f' -l 'file' -d 'The msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" format' -l 'format' -d 'text, dot (Graphviz) or mermaid.' -rfka 'text dot mermaid'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" json' -l 'json' -d 'Print one JSON document (services, edges and start levels).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc completions" -eq 1' -fka 'bash zsh fish'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc completions" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc completions" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc help" version' -l 'version' -d 'Show the version.'