# cohort_enable_plugins(<executable>)
# Lets <executable> load plugin libraries (`--plugin`, `plugins:`). The cohort libraries are
# static and a plugin links none of them (a second copy would mean a second accountant and
# registry), so the program must hold every engine function a plugin may call and export it:
# the whole of cohort::memory, engine_config and engine is linked in (--whole-archive, not just
# what the program itself uses) and the executable's symbols are exported (ENABLE_EXPORTS, i.e.
# -rdynamic), where the dynamic loader resolves the plugin's references.
function(cohort_enable_plugins target)
  set_target_properties(${target} PROPERTIES ENABLE_EXPORTS ON)
  set(archives "")
  foreach(lib IN ITEMS cohort::memory cohort::engine_config cohort::engine)
    list(APPEND archives "$<TARGET_FILE:${lib}>")
  endforeach()
  target_link_options(${target} PRIVATE "LINKER:--whole-archive" ${archives}
                      "LINKER:--no-whole-archive")
endfunction()
