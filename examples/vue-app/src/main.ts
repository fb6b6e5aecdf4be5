import { createApp } from 'vue'
import { tidings } from '@tidings/vue'
import { createKitchenBus } from './bus'
import { App } from './views/App'
import './styles.css'

createApp(App).use(tidings(createKitchenBus())).mount('#app')
