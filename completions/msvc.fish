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
            __msvc_parse_subcommand 0 'file=' 'no-color' 'q/quiet' 'v/verbose' 'name=' 'force' 'version' 'h/help'
        case 'new'
            __msvc_parse_subcommand 1 'file=' 'no-color' 'q/quiet' 'v/verbose' 't/template=' 'set=+' 'dir=' 'port=' 'dry-run' 'force' 'run-hooks' 'version' 'h/help'
        case 'templates'
            __msvc_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __msvc_parse_subcommand 0 'file=' 'no-color' 'q/quiet' 'v/verbose' 'json' 'version' 'h/help'
            case 'show'
                __msvc_parse_subcommand 1 'file=' 'no-color' 'q/quiet' 'v/verbose' 'json' 'version' 'h/help'
            end
        case 'validate'
            __msvc_parse_subcommand 0 'file=' 'no-color' 'q/quiet' 'v/verbose' 'json' 'version' 'h/help'
        case 'config'
            __msvc_parse_subcommand 0 'file=' 'no-color' 'q/quiet' 'v/verbose' 'json' 'version' 'h/help'
        case 'graph'
            __msvc_parse_subcommand 0 'file=' 'no-color' 'q/quiet' 'v/verbose' 'format=' 'json' 'version' 'h/help'
        case 'up'
            __msvc_parse_subcommand -r 1 'file=' 'no-color' 'q/quiet' 'v/verbose' 'd' 'no-tui' 'profile=+' 'wait' 'timeout=' 'watch' 'no-watch' 'version' 'h/help'
        case 'down'
            __msvc_parse_subcommand 0 'file=' 'no-color' 'q/quiet' 'v/verbose' 'timeout=' 'json' 'version' 'h/help'
        case 'ps'
            __msvc_parse_subcommand 0 'file=' 'no-color' 'q/quiet' 'v/verbose' 'json' 'version' 'h/help'
        case 'logs'
            __msvc_parse_subcommand -r 1 'file=' 'no-color' 'q/quiet' 'v/verbose' 'f' 'n=' 'since=' 'grep=' 'json' 'version' 'h/help'
        case 'port'
            __msvc_parse_subcommand 2 'file=' 'no-color' 'q/quiet' 'v/verbose' 'json' 'version' 'h/help'
        case 'url'
            __msvc_parse_subcommand 1 'file=' 'no-color' 'q/quiet' 'v/verbose' 'json' 'version' 'h/help'
        case 'doctor'
            __msvc_parse_subcommand 0 'file=' 'no-color' 'q/quiet' 'v/verbose' 'json' 'version' 'h/help'
        case 'start'
            __msvc_parse_subcommand -r 1 'file=' 'no-color' 'q/quiet' 'v/verbose' 'json' 'version' 'h/help'
        case 'stop'
            __msvc_parse_subcommand -r 1 'file=' 'no-color' 'q/quiet' 'v/verbose' 'json' 'version' 'h/help'
        case 'restart'
            __msvc_parse_subcommand -r 1 'file=' 'no-color' 'q/quiet' 'v/verbose' 'json' 'version' 'h/help'
        case 'scale'
            __msvc_parse_subcommand 1 'file=' 'no-color' 'q/quiet' 'v/verbose' 'json' 'version' 'h/help'
        case 'dash'
            __msvc_parse_subcommand 0 'file=' 'no-color' 'q/quiet' 'v/verbose' 'version' 'h/help'
        case 'test'
            __msvc_parse_subcommand -r 1 'file=' 'no-color' 'q/quiet' 'v/verbose' 'suite=+' 'junit=' 'json' 'keep-up' 'reuse' 'parallel=' 'timeout=' 'version' 'h/help'
        case 'contract'
            __msvc_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'verify'
                __msvc_parse_subcommand 0 'file=' 'no-color' 'q/quiet' 'v/verbose' 'pact=' 'provider-url=' 'state-change-url=' 'filter-description=' 'filter-state=' 'header=+' 'timeout=' 'junit=' 'json' 'version' 'h/help'
            end
        case 'ci'
            __msvc_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'generate'
                __msvc_parse_subcommand 0 'file=' 'no-color' 'q/quiet' 'v/verbose' 'provider=' 'out=' 'check' 'version' 'h/help'
            end
        case 'export'
            __msvc_parse_subcommand 1 'file=' 'no-color' 'q/quiet' 'v/verbose' 'out=' 'namespace=' 'profile=+' 'json' 'version' 'h/help'
        case 'import'
            __msvc_parse_subcommand 2 'file=' 'no-color' 'q/quiet' 'v/verbose' 'force' 'json' 'version' 'h/help'
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
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'new' -d 'Render a template into a new service and register it in msvc.yaml.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'templates' -d 'List and show service templates.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'validate' -d 'Load and check msvc.yaml; print every problem as FILE:LINE:COL: error: PATH: message.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'config' -d 'Print the resolved configuration (defaults applied, variables interpolated).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'graph' -d 'Print the dependency graph.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'up' -d 'Start the stack, or the named services and what they depend on.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'down' -d 'Stop a running stack in reverse dependency order.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'ps' -d 'Show every service and replica: state, health, pid, ports, restarts, uptime, CPU and memory.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'logs' -d 'Print stored logs, and with -f follow live ones.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'port' -d 'Print the port of a running service (the balanced one, or a named port).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'url' -d 'Print http://127.0.0.1:PORT of a running service.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'doctor' -d 'Check the machine: programs and toolchains the services need, ports, stale state, process containment, watch limits, terminal.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'start' -d 'Start stopped services of a running stack.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'stop' -d 'Stop services of a running stack (the rest keeps running).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'restart' -d 'Restart services of a running stack.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'scale' -d 'Change the number of replicas of a running service: msvc scale orders=3.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'dash' -d 'Attach the dashboard to a running stack.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'test' -d 'Run unit, contract, integration and end-to-end suites, each on the services it needs.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'contract' -d 'Verify consumer-driven contracts (Pact V2, V3, V4) against a provider.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'ci' -d 'Generate CI pipelines from msvc.yaml.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'export' -d 'Write Kubernetes manifests or a compose file from msvc.yaml.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'import' -d 'Write msvc.yaml from a compose file, Procfile or process-compose file, then validate it.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'completions' -d 'Print a shell completion script (also committed under completions/).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" name' -l 'name' -d 'Project name (default: this folder\'s name).' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" force' -l 'force' -d 'Overwrite an existing msvc.yaml.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc new" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc new" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc new" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc new" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc new" t template' -s 't' -l 'template' -d 'Template name (msvc templates list) or a template folder.' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc new"' -l 'set' -d 'Set a template variable.' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc new" dir' -l 'dir' -d 'Folder for the service (default: services/SERVICE beside msvc.yaml).' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc new" port' -l 'port' -d 'The service\'s port: auto or a number (default: the template\'s).' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc new" dry-run' -l 'dry-run' -d 'List the files and the msvc.yaml block; write nothing.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc new" force' -l 'force' -d 'Write over files in an existing folder; keep an existing msvc.yaml entry.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc new" run-hooks' -l 'run-hooks' -d 'Run the template\'s post hooks in the new folder.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc new" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc new" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc templates" -eq 1' -fa 'list' -d 'List templates with their origin and description.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc templates" -eq 1' -fa 'show' -d 'Show a template\'s variables, files and msvc.yaml block.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates list" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates list" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates list" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates list" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates list" json' -l 'json' -d 'Print one JSON document.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates list" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates show" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates show" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates show" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates show" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates show" json' -l 'json' -d 'Print one JSON document.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates show" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc templates show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc validate" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc validate" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc validate" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc validate" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc validate" json' -l 'json' -d 'Print one JSON document.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc validate" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc validate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc config" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc config" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc config" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc config" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc config" json' -l 'json' -d 'Print JSON instead of YAML.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc config" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc config" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" format' -l 'format' -d 'text, dot (Graphviz) or mermaid.' -rfka 'text dot mermaid'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" json' -l 'json' -d 'Print one JSON document (services, edges and start levels).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc graph" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc up" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc up" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc up" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc up" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc up" d' -s 'd' -d 'Run in the background and return.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc up" no-tui' -l 'no-tui' -d 'Print merged logs instead of the dashboard.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc up"' -l 'profile' -d 'Enable services of this profile (repeatable).' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc up" wait' -l 'wait' -d 'Run in the background and return once all services are ready.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc up" timeout' -l 'timeout' -d 'How long --wait waits (e.g. 30s, 2m).' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc up" watch' -l 'watch' -d 'Watch every service for changes (those without watch: use its defaults).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc up" no-watch' -l 'no-watch' -d 'Watch nothing, even services with watch:.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc up" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc up" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc down" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc down" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc down" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc down" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc down" timeout' -l 'timeout' -d 'Stop timeout for every service, overriding stop_timeout (e.g. 5s).' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc down" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc down" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc down" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ps" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ps" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ps" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ps" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ps" json' -l 'json' -d 'Print one JSON document.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ps" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ps" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc logs" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc logs" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc logs" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc logs" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc logs" f' -s 'f' -d 'Follow: keep printing new lines.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc logs" n' -s 'n' -d 'Only the last N lines.' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc logs" since' -l 'since' -d 'Only lines newer than this (e.g. 5m).' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc logs" grep' -l 'grep' -d 'Only lines matching this regular expression.' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc logs" json' -l 'json' -d 'One JSON document (JSON lines with -f).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc logs" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc logs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc port" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc port" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc port" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc port" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc port" json' -l 'json' -d 'Print JSON.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc port" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc port" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc url" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc url" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc url" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc url" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc url" json' -l 'json' -d 'Print JSON.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc url" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc url" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc doctor" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc doctor" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc doctor" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc doctor" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc doctor" json' -l 'json' -d 'Print one JSON document.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc doctor" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc doctor" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc start" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc start" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc start" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc start" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc start" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc start" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc start" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc stop" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc stop" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc stop" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc stop" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc stop" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc stop" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc stop" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc restart" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc restart" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc restart" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc restart" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc restart" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc restart" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc restart" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc scale" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc scale" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc scale" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc scale" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc scale" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc scale" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc scale" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc dash" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc dash" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc dash" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc dash" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc dash" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc dash" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc test" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc test" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc test" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc test" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc test" -ge 1' -fka 'unit contract integration e2e all'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc test"' -l 'suite' -d 'Run only this suite (repeatable); for unit, a service.' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc test" junit' -l 'junit' -d 'Also write a JUnit XML report to this file.' -rF
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc test" json' -l 'json' -d 'Print the results as one JSON document instead of the summary.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc test" keep-up' -l 'keep-up' -d 'Leave the suites\' services running afterwards (msvc ps, logs and down reach them).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc test" reuse' -l 'reuse' -d 'Run against the stack already running from this msvc.yaml instead of starting copies.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc test" parallel' -l 'parallel' -d 'How many suites run at once, each on its own copy of its services.' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc test" timeout' -l 'timeout' -d 'Time limit of a suite that sets no timeout: (e.g. 5m).' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc test" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc test" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc contract" -eq 1' -fa 'verify' -d 'Verify pacts against a running provider; exit 0 when all verified, 1 on a mismatch.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract verify" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract verify" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract verify" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract verify" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract verify" pact' -l 'pact' -d 'A pact file, or a folder of *.json pact files.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract verify" provider-url' -l 'provider-url' -d 'The provider\'s base URL, e.g. http://127.0.0.1:8080.' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract verify" state-change-url' -l 'state-change-url' -d 'Where provider states are set up: POST {state, params, action: setup|teardown}, once per state, before and after each interaction.' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract verify" filter-description' -l 'filter-description' -d 'Only interactions whose description matches this regular expression.' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract verify" filter-state' -l 'filter-state' -d 'Only interactions with a provider state that matches this regular expression.' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract verify"' -l 'header' -d 'A header added to every request to the provider (repeatable).' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract verify" timeout' -l 'timeout' -d 'Time allowed for each request (default 30s).' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract verify" junit' -l 'junit' -d 'Also write a JUnit XML report here (one test case per interaction).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'xml\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract verify" json' -l 'json' -d 'Print one JSON document instead of the console report.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract verify" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc contract verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ci" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ci" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc ci" -eq 1' -fa 'generate' -d 'Write the CI pipeline that builds, tests and runs the suites of every service.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ci generate" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ci generate" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ci generate" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ci generate" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ci generate" provider' -l 'provider' -d 'The CI system (default: ci.provider, else the existing CI folder).' -rfka 'github gitlab circleci azure bitbucket buildkite'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ci generate" out' -l 'out' -d 'Where to write the file (default: the provider\'s usual path beside msvc.yaml); - prints it.' -rF
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ci generate" check' -l 'check' -d 'Write nothing; exit 1 with a diff when the file on disk is out of date.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ci generate" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc ci generate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc export" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc export" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc export" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc export" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc export" -eq 1' -fka 'kubernetes compose'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc export" out' -l 'out' -d 'Where to write: a folder for kubernetes (one file per service), a file for compose; - prints (the default).' -rF
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc export" namespace' -l 'namespace' -d 'Kubernetes namespace for every object (also written as a Namespace).' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc export"' -l 'profile' -d 'Include services of this profile (kubernetes; compose keeps every profile).' -rfka ''
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc export" json' -l 'json' -d 'Print one JSON document: the files, their text when printed, and the translation report.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc export" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc import" file' -l 'file' -d '-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc import" no-color' -l 'no-color' -d 'Plain output without colour (NO_COLOR is honoured too).'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc import" q quiet' -l 'quiet' -s 'q' -d 'Print only errors.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc import" v verbose' -l 'verbose' -s 'v' -d 'Print more detail.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc import" -eq 1' -fka 'compose procfile process-compose'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc import" -eq 2' -F
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc import" force' -l 'force' -d 'Overwrite an existing msvc.yaml.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc import" json' -l 'json' -d 'Print one JSON document: what was written, the notes and the validation result.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc import" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_positional "msvc completions" -eq 1' -fka 'bash zsh fish'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc completions" version' -l 'version' -d 'Show the version.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc completions" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'msvc' -n '__msvc_should_offer_completions_for_flags_or_options "msvc help" version' -l 'version' -d 'Show the version.'